import FlareWire
import NIOConcurrencyHelpers

/// What the relay has done since it started, for its metrics endpoint and logs.
public struct RelayCounts: Sendable, Equatable {
    public var connectionsOpen = 0
    public var connectionsAccepted = 0
    /// Connections turned away at the connection cap.
    public var connectionsRefused = 0
    public var framesIn = 0
    public var bytesIn = 0
    public var bytesOut = 0
    public var envelopesIn = 0
    public var envelopesOut = 0
    public var notifies = 0
    /// Errors sent to devices, by code.
    public var errors: [ErrorCode: Int] = [:]
    /// Times reading from a connection was paused by its rate limit.
    public var throttled = 0
    /// Reply bytes written to connections and not yet taken by their sockets.
    public var bytesQueued = 0
}

/// The relay's counters, shared by every connection.
public final class RelayCounters: Sendable {
    private let counts = NIOLockedValueBox(RelayCounts())

    public init() {}

    /// A copy of the counts now.
    public var current: RelayCounts { counts.withLockedValue { $0 } }

    /// Reply bytes queued now, without copying the other counts (read before every request).
    var bytesQueued: Int { counts.withLockedValue { $0.bytesQueued } }

    func update(_ body: (inout RelayCounts) -> Void) {
        counts.withLockedValue { body(&$0) }
    }

    /// The counts in the Prometheus text format, with `vaults` (from storage) added.
    public func prometheusText(vaults: Int) -> String {
        let now = current
        var lines: [String] = []
        func metric(_ name: String, _ type: String, _ help: String, _ value: Int, labels: String = "") {
            lines.append("# HELP flare_relay_\(name) \(help)")
            lines.append("# TYPE flare_relay_\(name) \(type)")
            lines.append("flare_relay_\(name)\(labels) \(value)")
        }
        metric("connections_open", "gauge", "Connections open now.", now.connectionsOpen)
        metric("connections_accepted_total", "counter", "Connections accepted.", now.connectionsAccepted)
        metric("connections_refused_total", "counter", "Connections refused at the connection cap.", now.connectionsRefused)
        metric("vaults", "gauge", "Vaults admitted.", vaults)
        metric("frames_in_total", "counter", "Frames received.", now.framesIn)
        metric("bytes_in_total", "counter", "Frame bytes received.", now.bytesIn)
        metric("bytes_out_total", "counter", "Frame bytes sent.", now.bytesOut)
        metric("envelopes_in_total", "counter", "Envelopes stored.", now.envelopesIn)
        metric("envelopes_out_total", "counter", "Envelopes sent in batches.", now.envelopesOut)
        metric("notifies_total", "counter", "Notify messages sent.", now.notifies)
        metric("throttled_total", "counter", "Times a connection's reading was paused by its rate limit.", now.throttled)
        metric("bytes_queued", "gauge", "Bytes written to connections and not yet taken by their sockets.", now.bytesQueued)
        lines.append("# HELP flare_relay_errors_total Errors sent to devices, by code.")
        lines.append("# TYPE flare_relay_errors_total counter")
        for code in ErrorCode.allCases {
            lines.append("flare_relay_errors_total{code=\"\(code)\"} \(now.errors[code, default: 0])")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
