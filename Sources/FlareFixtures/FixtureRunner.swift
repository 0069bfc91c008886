import FlareCRDT

/// Runs fixtures on an engine, through the engine protocol, and checks the outcome.
public enum FixtureRunner {
    /// Runs the script of `fixture` on the engine of `session`, dumps every replica, and
    /// compares the dumps with the expectations. Whatever the engine does, this returns.
    public static func run(_ fixture: Fixture, file: String? = nil, on session: EngineSession) -> FixtureResult {
        var run = Run(fixture: fixture, session: session)
        let problem = run.perform()
        if let problem {
            return FixtureResult(name: fixture.name, file: file, problems: [problem], trace: run.trace)
        }
        return FixtureResult(name: fixture.name, file: file, differences: FixtureComparison.differences(fixture, run.views), trace: run.trace)
    }

    /// The state of one run: the stamps each change got, what has happened, the final dumps.
    private struct Run {
        let fixture: Fixture
        let session: EngineSession
        /// The stamp of each replica's change seq, at index seq - 1.
        var stamps: [String: [HLC]] = [:]
        var trace: [FixtureTraceEvent] = []
        var views: [String: ReplicaView] = [:]

        init(fixture: Fixture, session: EngineSession) {
            self.fixture = fixture
            self.session = session
        }

        /// Runs the fixture; the problem that stopped it, if any.
        mutating func perform() -> FixtureProblem? {
            do throws(EngineSession.Failure) {
                try session.begin()
            } catch {
                return problem(error, during: .hello(version: EngineRequest.protocolVersion), step: nil)
            }
            let start = EngineRequest.replicas(fixture: fixture.name, names: fixture.replicas)
            do throws(EngineSession.Failure) { _ = try session.call(start) } catch {
                return problem(error, during: start, step: nil)
            }
            for (index, step) in fixture.steps.enumerated() {
                if let problem = perform(step, number: index + 1) { return problem }
            }
            for name in fixture.replicas {
                let request = EngineRequest.dump(replica: name)
                do throws(EngineSession.Failure) {
                    let answer = try session.call(request)
                    var checker = JSONChecker(kind: .engine)
                    for key in ["state", "conflicts"] where answer[key] == nil {
                        checker.report("the answer lacks \"\(key)\"", answer.node, .root)
                    }
                    guard let view = ReplicaView.read(state: answer["state"], conflicts: answer["conflicts"], .root, &checker) else {
                        throw .wrong(Self.join(checker.problems))
                    }
                    views[name] = view
                    trace.append(.dump(replica: name, view: view))
                } catch {
                    return problem(error, during: request, step: nil)
                }
            }
            return nil
        }

        private mutating func perform(_ step: Fixture.Step, number: Int) -> FixtureProblem? {
            switch step {
            case .change(let replica, let at, let operations):
                let request = EngineRequest.change(replica: replica, at: at, operations: operations)
                do throws(EngineSession.Failure) {
                    let answer = try session.call(request)
                    var checker = JSONChecker(kind: .engine)
                    let expected = Int64(stamps[replica, default: []].count + 1)
                    let seq = answer["seq"].flatMap { checker.integer($0, .root + "seq", "\"seq\"", in: expected...expected) }
                    if answer["seq"] == nil { checker.report("the answer lacks \"seq\"", answer.node, .root) }
                    let stamp = answer.stamp("hlc", &checker)
                    guard let seq, let stamp else { throw .wrong(Self.join(checker.problems)) }
                    stamps[replica, default: []].append(stamp)
                    trace.append(.change(step: number, replica: replica, at: at, seq: UInt64(seq), stamp: stamp))
                } catch {
                    return problem(error, during: request, step: number)
                }
            case .deliver(let from, let to, let seqs):
                for seq in seqs {
                    let request = EngineRequest.deliver(from: from, to: to, seq: seq)
                    do throws(EngineSession.Failure) {
                        let answer = try session.call(request)
                        var checker = JSONChecker(kind: .engine)
                        guard let stamp = answer.stamp("hlc", &checker) else { throw .wrong(Self.join(checker.problems)) }
                        try check(stamp, of: from, seq)
                        trace.append(.deliver(step: number, from: from, to: to, seq: seq, stamp: stamp))
                    } catch {
                        return problem(error, during: request, step: number)
                    }
                }
            case .sync(let a, let b):
                let request = EngineRequest.sync(a, b)
                do throws(EngineSession.Failure) {
                    let answer = try session.call(request)
                    let receipts = try self.receipts(answer, between: a, b)
                    trace.append(.sync(step: number, a: a, b: b, received: receipts))
                } catch {
                    return problem(error, during: request, step: number)
                }
            }
            return nil
        }

        /// The `received` list of a sync answer: each change one of the two received, which
        /// must be one made in this run, with the stamp it was made with.
        private func receipts(_ answer: EngineSession.Answer, between a: String, _ b: String) throws(EngineSession.Failure) -> [FixtureTraceEvent.Receipt] {
            var checker = JSONChecker(kind: .engine)
            guard let node = answer["received"] else { throw .wrong("the answer lacks \"received\"") }
            guard let list = checker.array(node, .root + "received", "\"received\"") else { throw .wrong(Self.join(checker.problems)) }
            var receipts: [FixtureTraceEvent.Receipt] = []
            for (index, entry) in list.enumerated() {
                let path = JSONPath.root + "received" + index
                guard let members = checker.members(entry, path, "a received change", required: ["to", "replica", "seq", "hlc"]) else { continue }
                let to = members["to"].flatMap { checker.replica($0, path + "to", "\"to\"", in: [a, b]) }
                let replica = members["replica"].flatMap { checker.replica($0, path + "replica", "\"replica\"", in: fixture.replicas) }
                let seq = members["seq"].flatMap { checker.integer($0, path + "seq", "\"seq\"", in: 1...Int64.max) }
                let stamp = members["hlc"].flatMap { EngineSession.Answer.stamp($0, path + "hlc", &checker) }
                if let to, let replica, let seq, let stamp {
                    receipts.append(FixtureTraceEvent.Receipt(to: to, replica: replica, seq: UInt64(seq), stamp: stamp))
                }
            }
            guard checker.problems.isEmpty else { throw .wrong(Self.join(checker.problems)) }
            for receipt in receipts { try check(receipt.stamp, of: receipt.replica, receipt.seq) }
            return receipts
        }

        /// Fails unless `replica` made change `seq` in this run, stamped `stamp`.
        private func check(_ stamp: HLC, of replica: String, _ seq: UInt64) throws(EngineSession.Failure) {
            let made = stamps[replica, default: []]
            guard seq >= 1, seq <= UInt64(made.count) else {
                throw .wrong("it names \(replica)@\(seq), but \(replica) has made \(made.count) changes")
            }
            let original = made[Int(seq - 1)]
            guard original == stamp else {
                throw .wrong("it gives \(replica)@\(seq) the stamp \(FixtureTime.text(stamp)), but the change was made with \(FixtureTime.text(original))")
            }
        }

        private func problem(_ failure: EngineSession.Failure, during request: EngineRequest, step: Int?) -> FixtureProblem {
            switch failure {
            case .refused(let code, let message):
                return FixtureProblem(.refused, "the engine refused \(request.summary) (\(code)): \(message)", step: step)
            case .broken(let message):
                return FixtureProblem(.engine, "during \(request.summary): \(message)", step: step)
            case .wrong(let message):
                return FixtureProblem(.engine, "the engine's answer to \(request.summary) is wrong: \(message)", step: step)
            }
        }

        private static func join(_ problems: [FixtureProblem]) -> String {
            problems.map(\.description).joined(separator: "; ")
        }
    }
}
