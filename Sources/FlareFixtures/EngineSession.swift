import FlareCRDT

/// One conversation with an engine over the engine protocol: numbers the requests, does the
/// handshake when the engine (re)starts, and checks that each answer is one (its id, `ok`,
/// and an error's `error` and `message`). The runner checks what the answer says.
public final class EngineSession {
    /// Why a request got no usable answer.
    enum Failure: Error {
        /// The engine answered `ok: false`; the conversation goes on.
        case refused(code: String, message: String)
        /// The engine broke the protocol and was stopped; the next request starts it afresh.
        case broken(String)
        /// The answer says something wrong (an id it does not know, a stamp that changed);
        /// the conversation goes on.
        case wrong(String)
    }

    private let transport: any EngineTransport
    private var nextID = 0
    private var ready = false
    /// Set when the handshake failed: the engine cannot be used, so every later fixture is
    /// reported as not run rather than each waiting for the same failure.
    private var unusable: String?

    public init(transport: any EngineTransport) {
        self.transport = transport
    }

    /// A session with Flare's own engine, in this process.
    public static func flare() -> EngineSession { EngineSession(transport: InProcessEngine()) }

    /// Does the handshake if the engine is not running yet.
    func begin() throws(Failure) {
        if let unusable { throw .broken("not run, because \(unusable)") }
        guard !ready else { return }
        nextID = 0
        do throws(Failure) {
            let answer = try call(.hello(version: EngineRequest.protocolVersion))
            var checker = JSONChecker(kind: .engine)
            if let node = answer["protocol"] {
                _ = checker.integer(node, .root + "protocol", "\"protocol\"",
                                    in: Int64(EngineRequest.protocolVersion)...Int64(EngineRequest.protocolVersion))
            } else {
                checker.report("the answer to hello lacks \"protocol\"", answer.node, .root)
            }
            if let node = answer["engine"] {
                _ = checker.string(node, .root + "engine", "\"engine\"")
            } else {
                checker.report("the answer to hello lacks \"engine\"", answer.node, .root)
            }
            if let problem = checker.problems.first { throw Failure.wrong(problem.description) }
            ready = true
        } catch {
            transport.stop()
            let reason: String
            switch error {
            case .refused(let code, let message): reason = "the engine refused the handshake (\(code)): \(message)"
            case .broken(let message), .wrong(let message): reason = "the engine failed the handshake: \(message)"
            }
            unusable = reason
            throw .broken(reason)
        }
    }

    /// The members of the `ok: true` answer to `request`.
    func call(_ request: EngineRequest) throws(Failure) -> Answer {
        let id = nextID
        nextID += 1
        let line: [UInt8]
        do throws(EngineTransportError) { line = try transport.exchange(Array(request.line(id: id).utf8)) } catch {
            ready = false
            throw .broken(error.description)
        }
        let (root, syntax) = JSONReader.read(line)
        guard let root, syntax.isEmpty, case .object = root.content else {
            return try breakOff("printed a line that is not a JSON object (\(syntax.first?.description ?? "not an object")): \(Self.excerpt(line))")
        }
        guard case .int(let answered)? = root["id"]?.content, answered == Int64(id) else {
            return try breakOff("answered request \(id) with id \(root["id"]?.value?.description ?? "missing"): \(Self.excerpt(line))")
        }
        switch root["ok"]?.content {
        case .bool(true)?:
            return Answer(node: root)
        case .bool(false)?:
            guard case .string(let code)? = root["error"]?.content, case .string(let message)? = root["message"]?.content else {
                throw .wrong("its error answer lacks the strings \"error\" and \"message\": \(Self.excerpt(line))")
            }
            throw .refused(code: code, message: message)
        default:
            throw .wrong("its answer lacks \"ok\": true or false: \(Self.excerpt(line))")
        }
    }

    private func breakOff(_ message: String) throws(Failure) -> Answer {
        transport.stop()
        ready = false
        throw .broken(message)
    }

    /// Ends the conversation (and the engine process, if any), letting the engine exit.
    public func close() {
        transport.close()
        ready = false
    }

    /// The start of a line, for messages.
    static func excerpt(_ line: [UInt8]) -> String {
        let text = String(decoding: line.prefix(200), as: UTF8.self)
        return JSONValue.quote(text) + (line.count > 200 ? "…" : "")
    }

    /// An `ok: true` answer.
    struct Answer {
        let node: JSONNode

        subscript(key: String) -> JSONNode? { node[key] }

        /// The stamp `[ms, counter]` under `key`, in range.
        func stamp(_ key: String, _ checker: inout JSONChecker) -> HLC? {
            guard let node = self[key] else {
                checker.report("the answer lacks \"\(key)\"", self.node, .root)
                return nil
            }
            return Self.stamp(node, .root + key, &checker)
        }

        static func stamp(_ node: JSONNode, _ path: JSONPath, _ checker: inout JSONChecker) -> HLC? {
            guard let pair = checker.array(node, path, "a stamp [ms, counter]") else { return nil }
            guard pair.count == 2 else {
                checker.report("a stamp is [ms, counter], two integers", node, path)
                return nil
            }
            let milliseconds = checker.integer(pair[0], path + 0, "a stamp's ms", in: 0...Int64(HLC.maximumMilliseconds))
            let counter = checker.integer(pair[1], path + 1, "a stamp's counter", in: 0...Int64(UInt32.max))
            guard let milliseconds, let counter else { return nil }
            return HLC(milliseconds: UInt64(milliseconds), counter: UInt32(counter))
        }
    }
}
