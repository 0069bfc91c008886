import ArgumentParser
import FlareWire

@main
struct Flare: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flare",
        abstract: "An offline-first, end-to-end encrypted symptom and treatment journal.",
        discussion: """
            The vault is $FLARE_VAULT, else $XDG_DATA_HOME/flare/journal.flare, unless --vault \
            says otherwise; its passphrase comes from --passphrase-file, $FLARE_PASSPHRASE, \
            `flare unlock` (which keeps its key for a while) or a prompt.

            Exit status: 0 done; 1 a check failed; 64 bad command line or value; 65 a value or \
            file that cannot be used (a damaged reminders file too); 66 no such vault, record or reminder; \
            69 the relay or the unlock agent cannot be reached, or no reminder timer can be installed; \
            73 cannot create a file, a disk (this device's or the relay's) is full, or the relay's \
            quota is; 74 read or write failed, or \
            the vault is damaged; 75 the vault is open elsewhere or the connection was cut, try \
            again; 76 the relay broke the protocol; 77 wrong passphrase, or the relay refused \
            this device.

            Shell completions: flare --generate-completion-script bash (or zsh, fish).
            """,
        version: FlareRelease.description,
        subcommands: [
            Init.self, Join.self, Log.self, Edit.self, Treat.self, Took.self, CheckInCommand.self, List.self, Show.self, Summary.self, Insights.self, ReportCommand.self,
            History.self, Delete.self, Undo.self, Redo.self,
            Conflicts.self, Devices.self, Invite.self, Passphrase.self, Unlock.self, Lock.self, Export.self, Import.self, Sync.self, Status.self, RelayCommand.self, Doctor.self,
            Remind.self, Fixtures.self, AgentCommand.self,
        ]
    )
}
