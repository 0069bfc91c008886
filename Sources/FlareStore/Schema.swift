import GRDB

/// The vault file's tables, as forward migrations. A migration, once released, never changes:
/// a new version of the schema is a new migration appended here.
enum Schema {
    /// Marks a SQLite file as a Flare vault.
    static let format = "flare-vault"

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            // Plaintext columns are ids, seq numbers and KDF parameters only (CRYPTO.md lists them).
            try db.execute(sql: """
                CREATE TABLE vault (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    format TEXT NOT NULL,
                    vault_id BLOB NOT NULL,
                    replica_id BLOB NOT NULL,
                    kdf_salt BLOB NOT NULL,
                    kdf_ops INTEGER NOT NULL,
                    kdf_mem INTEGER NOT NULL,
                    keyring BLOB NOT NULL
                );
                CREATE TABLE head (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    sealed BLOB NOT NULL
                );
                CREATE TABLE change_run (
                    position INTEGER PRIMARY KEY,
                    replica BLOB NOT NULL,
                    first_seq INTEGER NOT NULL,
                    last_seq INTEGER NOT NULL,
                    sealed BLOB NOT NULL,
                    UNIQUE (replica, first_seq)
                );
                CREATE TABLE pending_change (
                    replica BLOB NOT NULL,
                    seq INTEGER NOT NULL,
                    sealed BLOB NOT NULL,
                    PRIMARY KEY (replica, seq)
                ) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2-checkpoints") { db in
            // The replica's checkpoint (FLR), sealed in chunks, so opening does not replay
            // the whole log. The head (layout 2) says which generation and rows it covers.
            try db.execute(sql: """
                CREATE TABLE checkpoint_chunk (
                    chunk INTEGER PRIMARY KEY,
                    sealed BLOB NOT NULL
                );
                """)
        }
        migrator.registerMigration("v3-local-state") { db in
            // Per-device state that is not vault data and never syncs (e.g. the relay this
            // device uses and how far it has pulled), sealed per row under its name.
            try db.execute(sql: """
                CREATE TABLE local_state (
                    name TEXT PRIMARY KEY,
                    sealed BLOB NOT NULL
                ) WITHOUT ROWID;
                """)
        }
        return migrator
    }
}
