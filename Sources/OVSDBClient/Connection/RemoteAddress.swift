/// Where an OVSDB server listens, spelled as ovn-nbctl spells it: `unix:PATH`, `tcp:IP:PORT`,
/// `ssl:IP:PORT` (IPv6 addresses in brackets: `tcp:[::1]:6641`).
public enum RemoteAddress: Sendable, Hashable, CustomStringConvertible {
    case unix(path: String)
    case tcp(host: String, port: Int)
    case ssl(host: String, port: Int)

    /// Parses one remote. `defaultPort` applies when a tcp/ssl remote names no port.
    public init(_ text: String, defaultPort: Int = 6641) throws(OVSDBClientError) {
        let invalid = { (why: String) in OVSDBClientError.invalidRemote(text, reason: why) }
        guard let colon = text.firstIndex(of: ":") else {
            throw invalid("expected unix:PATH, tcp:IP:PORT or ssl:IP:PORT")
        }
        let kind = text[..<colon]
        let rest = String(text[text.index(after: colon)...])
        switch kind {
        case "unix":
            guard !rest.isEmpty else { throw invalid("empty socket path") }
            self = .unix(path: rest)
        case "tcp", "ssl":
            let (host, port) = try Self.hostAndPort(rest, defaultPort: defaultPort, invalid: invalid)
            self = kind == "tcp" ? .tcp(host: host, port: port) : .ssl(host: host, port: port)
        default:
            throw invalid("unknown connection method \"\(kind)\" (use unix, tcp or ssl)")
        }
    }

    /// Parses a comma-separated list, as `--db` and `OVN_NB_DB` accept.
    public static func list(_ text: String, defaultPort: Int = 6641) throws(OVSDBClientError) -> [RemoteAddress] {
        let parts = text.split(separator: ",").map { $0.trimmingSpaces }
        guard !parts.isEmpty else { throw .invalidRemote(text, reason: "no remote given") }
        var out: [RemoteAddress] = []
        for p in parts { out.append(try RemoteAddress(p, defaultPort: defaultPort)) }
        return out
    }

    private static func hostAndPort(_ s: String, defaultPort: Int, invalid: (String) -> OVSDBClientError) throws(OVSDBClientError) -> (String, Int) {
        var host: Substring
        var portText: Substring?
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { throw invalid("missing ] after IPv6 address") }
            host = s[s.index(after: s.startIndex)..<close]
            let after = s[s.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":" else { throw invalid("expected :PORT after ]") }
                portText = after.dropFirst()
            }
        } else {
            let colons = s.filter { $0 == ":" }.count
            if colons > 1 { throw invalid("an IPv6 address must be in brackets, as in tcp:[::1]:6641") }
            if let c = s.firstIndex(of: ":") {
                host = s[..<c]
                portText = s[s.index(after: c)...]
            } else {
                host = Substring(s)
            }
        }
        guard !host.isEmpty else { throw invalid("missing host") }
        var port = defaultPort
        if let portText {
            guard let p = Int(portText), p > 0, p < 65536 else { throw invalid("bad port \"\(portText)\"") }
            port = p
        }
        return (String(host), port)
    }

    public var isTLS: Bool {
        if case .ssl = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .unix(let path): return "unix:\(path)"
        case .tcp(let host, let port): return "tcp:\(Self.bracketed(host)):\(port)"
        case .ssl(let host, let port): return "ssl:\(Self.bracketed(host)):\(port)"
        }
    }

    private static func bracketed(_ host: String) -> String {
        host.contains(":") ? "[\(host)]" : host
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
