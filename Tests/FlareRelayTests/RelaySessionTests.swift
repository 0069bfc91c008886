import FlareCrypto
import FlareRelay
import FlareWire
import Foundation
import Testing
import TestSupport

/// The relay's side of the protocol, driven message by message as a device would.
@Suite struct RelaySessionTests {
    /// A device of a vault, as far as the relay is concerned.
    struct Device {
        let keys: VaultKeys
        let deviceKey = SigningKey.random()
        let replica: WireID
        let vault: WireID

        /// A device holding `secret`: the vault's secret, or (with `vault`) a later key epoch's.
        init(_ secret: VaultSecret, replica: WireID = WireID(Random.bytes(16))!, vault: WireID? = nil) {
            keys = secret.keys()
            self.replica = replica
            self.vault = vault ?? WireID(keys.vaultID.bytes)!
        }

        /// Sends hello and returns the challenge's transcript and session.
        func hello(_ session: inout RelaySession, lowest: UInt64 = 3, highest: UInt64 = 3) -> (transcript: [UInt8], session: WireID)? {
            let nonce = Random.bytes(32)
            let outcome = session.handle(.hello(lowestVersion: lowest, highestVersion: highest, vault: vault, deviceKey: deviceKey.publicKey, nonce: nonce, replica: highest >= 2 ? replica : nil))
            guard case .challenge(let version, let relayNonce, let id, _, _)? = outcome.replies.first else { return nil }
            let transcript = Transcript.auth(
                vault: vault, deviceKey: deviceKey.publicKey, replica: replica, deviceNonce: nonce, relayNonce: relayNonce, session: id, version: version)
            return (transcript, id)
        }

        func join(_ session: inout RelaySession, invite: String) -> RelaySession.Outcome {
            let (transcript, _) = hello(&session)!
            let admission = keys.authKey.signature(for: Transcript.admission(vault: vault, deviceKey: deviceKey.publicKey, replica: replica))
            return session.handle(.join(
                vaultAuthKey: keys.authKey.publicKey, admission: admission, invite: invite, signature: deviceKey.signature(for: transcript)))
        }

        func auth(_ session: inout RelaySession) -> RelaySession.Outcome {
            let (transcript, _) = hello(&session)!
            return session.handle(.auth(signature: deviceKey.signature(for: transcript)))
        }

        func envelope(_ first: UInt64, _ last: UInt64, epoch: UInt64 = 0) -> Envelope {
            try! Envelope(replica: replica, firstSeq: first, lastSeq: last, epoch: epoch, sealed: [1, 2, 3])
        }

        /// An epoch record made by this device, signed by `parent` (the previous epoch's auth
        /// key) and by this device. The relay cannot open member boxes, so they are stand-ins.
        func record(epoch: UInt64, parent: SigningKey, next: VaultSecret, revoking: [[UInt8]], keeping: [[UInt8]]) -> EpochRecord {
            let members = keeping.map { EpochRecord.Member(deviceKey: $0, sealedSecret: Random.bytes(100)) }
            let authKey = next.keys().authKey.publicKey
            let sealedPrevious = Random.bytes(72)
            let signed = EpochRecord.signedBytes(
                vault: vault, epoch: epoch, authKey: authKey, revoker: deviceKey.publicKey, time: 1_796_000_000, revoked: revoking, members: members,
                sealedPrevious: sealedPrevious)
            return try! EpochRecord(
                vault: vault, epoch: epoch, authKey: authKey, revoker: deviceKey.publicKey, time: 1_796_000_000, revoked: revoking, members: members,
                sealedPrevious: sealedPrevious, parentSignature: parent.signature(for: signed), revokerSignature: deviceKey.signature(for: signed))
        }
    }

    static func errorCode(_ outcome: RelaySession.Outcome) -> ErrorCode? {
        if case .error(let code, _)? = outcome.replies.first { return code }
        return nil
    }

    @Test func joinAuthenticatePushAndPull() throws {
        let folder = try TemporaryFolder()
        let storage = try SQLiteRelayStorage(path: folder.path("relay.sqlite"))
        let secret = VaultSecret.random()
        let phone = Device(secret)
        let laptop = Device(secret)

        var first = RelaySession(storage: storage)
        let joined = phone.join(&first, invite: try storage.createInvite())
        guard case .welcome(_, 0, let held, _)? = joined.replies.first else { Issue.record("no welcome: \(joined.replies)"); return }
        #expect(held.isEmpty)
        let pushed = first.handle(.push([phone.envelope(1, 2), phone.envelope(3, 3)]))
        #expect(pushed.stored)
        guard case .ack(let stored, _, 2)? = pushed.replies.first else { Issue.record("no ack"); return }
        #expect(stored.map(\.seq) == [3])
        // A gap is refused with its code; the connection stays.
        let gap = first.handle(.push([phone.envelope(5, 5)]))
        #expect(Self.errorCode(gap) == .seqGap)
        #expect(!gap.close)
        #expect(first.handle(.ping(nonce: 7)).replies.first.map { if case .pong(7) = $0 { true } else { false } } == true)

        // The laptop joins with the vault's admission (no invite needed: the vault is known), then pulls.
        var second = RelaySession(storage: storage)
        guard case .welcome(_, 2, let marks, _)? = laptop.join(&second, invite: "").replies.first else { Issue.record("laptop not welcomed"); return }
        #expect(marks.map(\.seq) == [3])
        guard case .batch(let items, false)? = second.handle(.pull(afterServerSeq: 0, maximumBytes: 1 << 20)).replies.first else {
            Issue.record("no batch")
            return
        }
        #expect(items.map(\.serverSeq) == [1, 2])

        // Later sessions authenticate with the device key alone.
        var third = RelaySession(storage: storage)
        guard case .welcome(_, 2, _, _)? = phone.auth(&third).replies.first else { Issue.record("phone not welcomed again"); return }
        #expect(third.vault == phone.vault)
    }

    @Test func refusalsCloseTheConnectionAndStoreNothing() throws {
        let folder = try TemporaryFolder()
        let storage = try SQLiteRelayStorage(path: folder.path("relay.sqlite"))
        let secret = VaultSecret.random()
        let phone = Device(secret)

        // An unknown vault without an invite.
        var session = RelaySession(storage: storage)
        let unknown = phone.join(&session, invite: "")
        #expect(Self.errorCode(unknown) == .unknownVault && unknown.close)
        var withBadInvite = RelaySession(storage: storage)
        #expect(Self.errorCode(phone.join(&withBadInvite, invite: "not-a-token")) == .badInvite)
        #expect(try storage.vaults().isEmpty)

        var admitted = RelaySession(storage: storage)
        _ = phone.join(&admitted, invite: try storage.createInvite())

        // A wrong signature, a replayed one, a device never admitted, a stranger's vault key.
        var wrong = RelaySession(storage: storage)
        _ = phone.hello(&wrong)
        let forged = wrong.handle(.auth(signature: [UInt8](repeating: 0, count: 64)))
        #expect(Self.errorCode(forged) == .authFailed && forged.close)

        var recorded = RelaySession(storage: storage)
        let (oldTranscript, _) = phone.hello(&recorded)!
        let oldSignature = phone.deviceKey.signature(for: oldTranscript)
        var replay = RelaySession(storage: storage)
        _ = phone.hello(&replay)
        #expect(Self.errorCode(replay.handle(.auth(signature: oldSignature))) == .authFailed)

        let stranger = Device(secret)
        var notAdmitted = RelaySession(storage: storage)
        #expect(Self.errorCode(stranger.auth(&notAdmitted)) == .authFailed)

        let impostor = Device(VaultSecret.random())
        var fake = RelaySession(storage: storage)
        let (transcript, _) = phone.hello(&fake)!
        let bogus = fake.handle(.join(
            vaultAuthKey: impostor.keys.authKey.publicKey,
            admission: impostor.keys.authKey.signature(for: Transcript.admission(vault: phone.vault, deviceKey: phone.deviceKey.publicKey, replica: phone.replica)),
            invite: "", signature: phone.deviceKey.signature(for: transcript)))
        #expect(Self.errorCode(bogus) == .authFailed)

        // Out of order, and versions in common.
        var early = RelaySession(storage: storage)
        let pushFirst = early.handle(.push([phone.envelope(1, 1)]))
        #expect(Self.errorCode(pushFirst) == .malformed && pushFirst.close)
        var future = RelaySession(storage: storage)
        let versions = future.handle(.hello(
            lowestVersion: 4, highestVersion: 5, vault: phone.vault, deviceKey: phone.deviceKey.publicKey, nonce: Random.bytes(32), replica: phone.replica))
        #expect(Self.errorCode(versions) == .unsupportedVersion && versions.close)
        // A version 1 device (its hello names no replica) hears which versions this relay speaks.
        var past = RelaySession(storage: storage)
        let old = past.handle(.hello(lowestVersion: 1, highestVersion: 1, vault: phone.vault, deviceKey: phone.deviceKey.publicKey, nonce: Random.bytes(32), replica: nil))
        guard case .error(.unsupportedVersion, let text)? = old.replies.first else { Issue.record("\(old.replies)"); return }
        #expect(text.contains("versions 3 to 3") && old.close)
        // So does a version 2 device (its envelopes carry no key epoch).
        var second = RelaySession(storage: storage)
        let two = second.handle(.hello(lowestVersion: 2, highestVersion: 2, vault: phone.vault, deviceKey: phone.deviceKey.publicKey, nonce: Random.bytes(32), replica: phone.replica))
        #expect(Self.errorCode(two) == .unsupportedVersion && two.close)
        #expect(try storage.position(of: phone.vault).serverSeq == 0)
    }

    @Test func forgettingNeedsTheSessionSignature() throws {
        let folder = try TemporaryFolder()
        let storage = try SQLiteRelayStorage(path: folder.path("relay.sqlite"), quota: Quota())
        let phone = Device(VaultSecret.random())
        var session = RelaySession(storage: storage, settings: .init(open: true))
        guard case .welcome(let firstStore, _, _, _)? = phone.join(&session, invite: "").replies.first else {
            Issue.record("not welcomed")
            return
        }
        _ = session.handle(.push([phone.envelope(1, 1)]))
        #expect(Self.errorCode(session.handle(.forget(signature: [UInt8](repeating: 1, count: 64)))) == .authFailed)
        #expect(try storage.position(of: phone.vault).serverSeq == 1)

        var again = RelaySession(storage: storage, settings: .init(open: true))
        let (transcript, id) = phone.hello(&again)!
        _ = again.handle(.auth(signature: phone.deviceKey.signature(for: transcript)))
        let forgotten = again.handle(.forget(signature: phone.deviceKey.signature(for: Transcript.forget(vault: phone.vault, session: id))))
        #expect(forgotten.replies.first.map { if case .forgotten = $0 { true } else { false } } == true)
        #expect(try storage.vaults().isEmpty)

        // Joining again starts a new store, so devices know to push and pull from the start.
        var rejoined = RelaySession(storage: storage, settings: .init(open: true))
        guard case .welcome(let secondStore, 0, let held, _)? = phone.join(&rejoined, invite: "").replies.first else {
            Issue.record("not welcomed again")
            return
        }
        #expect(secondStore != firstStore && held.isEmpty)
    }

    /// An admitted device pushes only its own replica's envelopes: another device's replica, or
    /// one nobody has, is refused and nothing of the push is stored. A key is bound to one
    /// replica and a replica to one key.
    @Test func aDevicePushesOnlyItsOwnReplica() throws {
        let folder = try TemporaryFolder()
        let storage = try SQLiteRelayStorage(path: folder.path("relay.sqlite"))
        let secret = VaultSecret.random()
        let phone = Device(secret)
        let laptop = Device(secret)
        var phoneSession = RelaySession(storage: storage, settings: .init(open: true))
        _ = phone.join(&phoneSession, invite: "")
        #expect(phoneSession.handle(.push([phone.envelope(1, 1)])).stored)

        var laptopSession = RelaySession(storage: storage, settings: .init(open: true))
        _ = laptop.join(&laptopSession, invite: "")
        let madeUp = try Envelope(replica: WireID(Random.bytes(16))!, firstSeq: 1, lastSeq: 1, sealed: [1])
        for push in [[phone.envelope(2, 2)], [laptop.envelope(1, 1), madeUp]] {
            var session = RelaySession(storage: storage, settings: .init(open: true))
            _ = laptop.auth(&session)
            let refused = session.handle(.push(push))
            #expect(Self.errorCode(refused) == .forbidden && refused.close && !refused.stored)
        }
        #expect(try storage.position(of: phone.vault).serverSeq == 1)

        // The laptop's key naming the phone's replica, and a new key naming it, are refused.
        var stolen = RelaySession(storage: storage, settings: .init(open: true))
        let nonce = Random.bytes(32)
        guard case .challenge(let version, let relayNonce, let id, _, _)? = stolen.handle(.hello(
            lowestVersion: 3, highestVersion: 3, vault: laptop.vault, deviceKey: laptop.deviceKey.publicKey, nonce: nonce, replica: phone.replica)).replies.first
        else { Issue.record("no challenge"); return }
        let transcript = Transcript.auth(
            vault: laptop.vault, deviceKey: laptop.deviceKey.publicKey, replica: phone.replica, deviceNonce: nonce, relayNonce: relayNonce, session: id, version: version)
        let taken = stolen.handle(.auth(signature: laptop.deviceKey.signature(for: transcript)))
        #expect(Self.errorCode(taken) == .forbidden && taken.close)
        let copycat = Device(secret, replica: phone.replica)
        var copying = RelaySession(storage: storage, settings: .init(open: true))
        let joined = copycat.join(&copying, invite: "")
        #expect(Self.errorCode(joined) == .forbidden && joined.close)
        #expect(try storage.devices(of: phone.vault).count == 2)
    }

    /// `devices` lists every admitted key with its replica and times, a page at a time.
    @Test func devicesAreListedAPageAtATime() throws {
        let folder = try TemporaryFolder()
        let storage = try SQLiteRelayStorage(path: folder.path("relay.sqlite"))
        let secret = VaultSecret.random()
        let devices = (0..<20).map { _ in Device(secret) }
        for device in devices {
            var session = RelaySession(storage: storage, settings: .init(open: true))
            guard case .welcome? = device.join(&session, invite: "").replies.first else { Issue.record("not welcomed"); return }
        }
        var session = RelaySession(storage: storage)
        _ = devices[0].auth(&session)
        var listed: [AdmittedDevice] = []
        var pages = 0
        while true {
            guard case .devices(let page, let more)? = session.handle(.devicesGet(start: UInt64(listed.count))).replies.first else {
                Issue.record("no devices")
                return
            }
            #expect(Message.devices(page, more: more).encoded().count < 1024)
            listed += page
            pages += 1
            if !more { break }
        }
        #expect(pages == 2)
        #expect(listed.map(\.key) == devices.map(\.deviceKey.publicKey))
        #expect(listed.map(\.replica) == devices.map(\.replica))
        // A start past the end, up to the largest varint the decoder lets through, is an empty last page.
        for start: UInt64 in [20, 21, (1 << 63) - 1] {
            guard case .devices(let page, false)? = session.handle(.devicesGet(start: start)).replies.first else {
                Issue.record("no devices page at \(start)")
                return
            }
            #expect(page.isEmpty)
        }
    }

    /// An invitation is kept by an authenticated device, taken once by anyone who names its
    /// lookup id before it expires (without authenticating), and refused when expired, too far
    /// ahead, a duplicate, or one too many.
    @Test func invitationsAreTakenOnceBeforeTheyExpire() throws {
        let folder = try TemporaryFolder()
        let storage = try SQLiteRelayStorage(path: folder.path("relay.sqlite"))
        let secret = VaultSecret.random()
        let phone = Device(secret)
        var session = RelaySession(storage: storage, settings: .init(open: true))
        _ = phone.join(&session, invite: "")
        let now = UInt64(Date().timeIntervalSince1970)
        let lookup = WireID(Random.bytes(16))!
        guard case .inviteStored? = session.handle(.invitePut(lookup: lookup, expires: now + 600, sealed: [7, 7, 7])).replies.first else {
            Issue.record("not stored")
            return
        }
        for (expires, why) in [(now - 1, "expired"), (now + Invitation.longestLifetime + 60, "7 days"), (now + 60, "in use")] {
            let refused = session.handle(.invitePut(lookup: lookup, expires: expires, sealed: [1]))
            guard case .error(.badInvite, let text)? = refused.replies.first else { Issue.record("\(refused.replies)"); return }
            #expect(text.contains(why) && !refused.close, "\(text)")
        }

        // A stranger (a new device with no admission) takes it once; the next try is refused.
        let newcomer = Device(secret)
        var taking = RelaySession(storage: storage)
        _ = newcomer.hello(&taking)
        guard case .invitation([7, 7, 7], now + 600)? = taking.handle(.inviteTake(lookup: lookup)).replies.first else {
            Issue.record("not taken")
            return
        }
        var again = RelaySession(storage: storage)
        _ = newcomer.hello(&again)
        let spent = again.handle(.inviteTake(lookup: lookup))
        #expect(Self.errorCode(spent) == .badInvite && spent.close)
        // Taking is not authenticating: the newcomer is not admitted by it.
        #expect(try storage.devices(of: phone.vault).count == 1)

        // At most 16 live invitations per vault.
        for index in 0..<Invitation.mostPerVault {
            let put = session.handle(.invitePut(lookup: WireID(Random.bytes(16))!, expires: now + 600, sealed: [UInt8(index)]))
            guard case .inviteStored? = put.replies.first else { Issue.record("invitation \(index): \(put.replies)"); return }
        }
        #expect(Self.errorCode(session.handle(.invitePut(lookup: WireID(Random.bytes(16))!, expires: now + 600, sealed: [1]))) == .badInvite)
        // An invitation cannot be left before authenticating.
        var early = RelaySession(storage: storage)
        _ = phone.hello(&early)
        #expect(Self.errorCode(early.handle(.invitePut(lookup: WireID(Random.bytes(16))!, expires: now + 600, sealed: [1]))) == .malformed)
    }

    /// Key epochs, message by message: only the next epoch, signed by the vault's current auth
    /// key and by the sending device, keeping exactly the other admitted devices, moves the
    /// vault; then the revoked key is refused everywhere, pushes under the old epoch are
    /// refused, old codes admit no one, and the records are served a page at a time.
    @Test func epochRecordsMoveTheVaultOnlyWhenTheyFollow() throws {
        let folder = try TemporaryFolder()
        let storage = try SQLiteRelayStorage(path: folder.path("relay.sqlite"))
        let secret = VaultSecret.random()
        let (laptop, tablet, phone) = (Device(secret), Device(secret), Device(secret))
        var sessions: [RelaySession] = []
        for device in [laptop, tablet, phone] {
            var session = RelaySession(storage: storage, settings: .init(open: true))
            guard case .welcome(_, _, _, 0)? = device.join(&session, invite: "").replies.first else { Issue.record("not welcomed"); return }
            sessions.append(session)
        }
        let epoch1 = VaultSecret.random()
        let keys = [laptop, tablet, phone].map(\.deviceKey.publicKey)
        let good = laptop.record(epoch: 1, parent: laptop.keys.authKey, next: epoch1, revoking: [keys[2]], keeping: [keys[0], keys[1]])

        // Refused, and the vault stays at epoch 0: ...
        let refusals: [(String, EpochRecord, ErrorCode, Bool)] = [
            ("an epoch that skips one", laptop.record(epoch: 2, parent: laptop.keys.authKey, next: epoch1, revoking: [keys[2]], keeping: [keys[0], keys[1]]),
             .epochConflict, false),
            ("a record leaving out an admitted device", laptop.record(epoch: 1, parent: laptop.keys.authKey, next: epoch1, revoking: [keys[2]], keeping: [keys[0]]),
             .epochConflict, false),
            ("a record keeping a key never admitted",
             laptop.record(epoch: 1, parent: laptop.keys.authKey, next: epoch1, revoking: [keys[2]], keeping: [keys[0], keys[1], Random.bytes(32)]),
             .epochConflict, false),
            ("a record revoking a key never admitted",
             laptop.record(epoch: 1, parent: laptop.keys.authKey, next: epoch1, revoking: [Random.bytes(32)], keeping: keys), .epochConflict, false),
            ("a record signed by another auth key",
             laptop.record(epoch: 1, parent: epoch1.keys().authKey, next: epoch1, revoking: [keys[2]], keeping: [keys[0], keys[1]]), .authFailed, true),
            ("a record made by another device", tablet.record(epoch: 1, parent: laptop.keys.authKey, next: epoch1, revoking: [keys[2]], keeping: [keys[0], keys[1]]),
             .malformed, true),
        ]
        for (what, record, code, closes) in refusals {
            var session = RelaySession(storage: storage)
            _ = laptop.auth(&session)
            let outcome = session.handle(.epochPut(record))
            #expect(Self.errorCode(outcome) == code && outcome.close == closes && outcome.rekeyed == nil, "\(what)")
        }
        #expect(try storage.position(of: laptop.vault).epoch == 0)
        // A push under an epoch the vault is not at stores nothing.
        let ahead = sessions[1].handle(.push([tablet.envelope(1, 1, epoch: 1)]))
        #expect(Self.errorCode(ahead) == .staleEpoch && !ahead.close && !ahead.stored)

        let stored = sessions[0].handle(.epochPut(good))
        guard case .epochStored(1)? = stored.replies.first else { Issue.record("\(stored.replies)"); return }
        #expect(stored.rekeyed?.epoch == 1)
        #expect(Self.errorCode(sessions[0].handle(.epochPut(good))) == .epochConflict, "the same record twice")
        #expect(try storage.devices(of: laptop.vault).map(\.revokedIn) == [nil, nil, 1])

        // The phone's open session may still be asked for anything; its next connection is
        // refused, and so is a join with its key or with epoch 0's auth key.
        let stale = sessions[1].handle(.push([tablet.envelope(1, 1, epoch: 0)]))
        #expect(Self.errorCode(stale) == .staleEpoch && !stale.stored)
        #expect(sessions[1].handle(.push([tablet.envelope(1, 1, epoch: 1)])).stored)
        var again = RelaySession(storage: storage)
        let refusedAuth = phone.auth(&again)
        #expect(Self.errorCode(refusedAuth) == .revoked && refusedAuth.close)
        var rejoin = RelaySession(storage: storage, settings: .init(open: true))
        let refusedJoin = phone.join(&rejoin, invite: "")
        #expect(Self.errorCode(refusedJoin) == .authFailed && refusedJoin.close)
        let newcomer = Device(secret)
        var oldCode = RelaySession(storage: storage, settings: .init(open: true))
        #expect(Self.errorCode(newcomer.join(&oldCode, invite: "")) == .authFailed)
        // A device given epoch 1's secret joins, and is welcomed at epoch 1.
        let joiner = Device(epoch1, vault: laptop.vault)
        var fresh = RelaySession(storage: storage, settings: .init(open: true))
        guard case .welcome(_, _, _, 1)? = joiner.join(&fresh, invite: "").replies.first else { Issue.record("the new epoch's key does not admit"); return }

        // Records are served in order, one page per frame.
        let epoch2 = VaultSecret.random()
        let keys2 = [keys[0], keys[1], joiner.deviceKey.publicKey]
        let second = laptop.record(epoch: 2, parent: epoch1.keys().authKey, next: epoch2, revoking: [keys[1]], keeping: [keys[0], keys2[2]])
        guard case .epochStored(2)? = sessions[0].handle(.epochPut(second)).replies.first else { Issue.record("epoch 2 not stored"); return }
        guard case .epochs(let all, false)? = fresh.handle(.epochsGet(after: 0)).replies.first else { Issue.record("no epochs"); return }
        #expect(all == [good, second])
        guard case .epochs(let rest, false)? = fresh.handle(.epochsGet(after: 1)).replies.first, rest == [second] else { Issue.record("no page"); return }
        guard case .epochs(let none, false)? = fresh.handle(.epochsGet(after: 2)).replies.first, none.isEmpty else { Issue.record("past the end"); return }
        let page = try storage.epochRecords(of: laptop.vault, after: 0, maximumBytes: 1)
        #expect(page.records == [good] && page.more)
    }
}
