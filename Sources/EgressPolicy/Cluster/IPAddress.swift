/// An IPv4 or IPv6 address, parsed strictly and printed canonically (dotted quad; RFC 5952
/// for IPv6). Leading zeros in IPv4, IPv4-mapped IPv6 and zone ids are refused: a value that
/// reaches an OVN match string must mean exactly one thing.
public enum IPAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    case v4(UInt32)
    case v6(high: UInt64, low: UInt64)

    public enum Family: String, Sendable, Hashable, Comparable, CaseIterable {
        case v4, v6
        public static func < (a: Family, b: Family) -> Bool { a == .v4 && b == .v6 }
        /// The OVN match prefix: `ip4` or `ip6`.
        public var matchPrefix: String { self == .v4 ? "ip4" : "ip6" }
    }

    public var family: Family {
        if case .v4 = self { return .v4 }
        return .v6
    }

    public init?(_ text: some StringProtocol) {
        if text.utf8.contains(UInt8(ascii: ":")) {
            guard let v = Self.parseV6(String(text)) else { return nil }
            self = v
        } else {
            guard let v = Self.parseV4(text.utf8) else { return nil }
            self = .v4(v)
        }
    }

    /// Dotted quad, byte by byte (this runs once per endpoint address).
    static func parseV4(_ bytes: some Collection<UInt8>) -> UInt32? {
        var value: UInt32 = 0, part: UInt32 = 0, digits = 0, parts = 0, leadingZero = false
        for b in bytes {
            if b == UInt8(ascii: ".") {
                guard digits > 0, parts < 3 else { return nil }
                value = value << 8 | part
                parts += 1
                part = 0
                digits = 0
                continue
            }
            guard b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            if digits == 1 && leadingZero { return nil }
            if digits == 0 { leadingZero = b == UInt8(ascii: "0") }
            part = part * 10 + UInt32(b - UInt8(ascii: "0"))
            digits += 1
            guard part <= 255, digits <= 3 else { return nil }
        }
        guard digits > 0, parts == 3 else { return nil }
        return value << 8 | part
    }

    static func parseV6(_ s: String) -> IPAddress? {
        if s.contains("%") || s.contains(".") { return nil } // zone ids, embedded IPv4
        var halves: [String] = []
        if let r = s.firstRange(of: "::") {
            halves = [String(s[..<r.lowerBound]), String(s[r.upperBound...])]
            if halves[1].contains("::") { return nil }
        } else {
            halves = [s]
        }
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            var out: [UInt16] = []
            for g in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard !g.isEmpty, g.count <= 4, let v = UInt16(g, radix: 16) else { return nil }
                out.append(v)
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        var all: [UInt16]
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count <= 7 else { return nil }
            all = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard head.count == 8 else { return nil }
            all = head
        }
        var high: UInt64 = 0, low: UInt64 = 0
        for g in all[0..<4] { high = high << 16 | UInt64(g) }
        for g in all[4..<8] { low = low << 16 | UInt64(g) }
        // ::ffff:0:0/96 is IPv4-mapped: refused, the IPv4 form must be used.
        if high == 0 && low >> 32 == 0xFFFF { return nil }
        return .v6(high: high, low: low)
    }

    public var description: String {
        switch self {
        case .v4(let v):
            return "\(v >> 24).\((v >> 16) & 0xFF).\((v >> 8) & 0xFF).\(v & 0xFF)"
        case .v6(let high, let low):
            var g: [UInt16] = []
            for i in stride(from: 48, through: 0, by: -16) { g.append(UInt16((high >> UInt64(i)) & 0xFFFF)) }
            for i in stride(from: 48, through: 0, by: -16) { g.append(UInt16((low >> UInt64(i)) & 0xFFFF)) }
            // RFC 5952: compress the longest run of two or more zero groups, the first on a tie.
            var bestStart = -1, bestLength = 1, i = 0
            while i < 8 {
                if g[i] == 0 {
                    var j = i
                    while j < 8 && g[j] == 0 { j += 1 }
                    if j - i > bestLength { bestStart = i; bestLength = j - i }
                    i = j
                } else {
                    i += 1
                }
            }
            let hex = g.map { String($0, radix: 16) }
            if bestStart < 0 { return hex.joined(separator: ":") }
            let head = hex[0..<bestStart].joined(separator: ":")
            let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
            return head + "::" + tail
        }
    }

    /// This address plus `n` (for the management port: network + 2).
    public func adding(_ n: UInt64) -> IPAddress {
        switch self {
        case .v4(let v): return .v4(v &+ UInt32(truncatingIfNeeded: n))
        case .v6(let high, let low):
            let (sum, overflow) = low.addingReportingOverflow(n)
            return .v6(high: overflow ? high &+ 1 : high, low: sum)
        }
    }

    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        switch (a, b) {
        case let (.v4(x), .v4(y)): return x < y
        case let (.v6(ah, al), .v6(bh, bl)): return (ah, al) < (bh, bl)
        case (.v4, .v6): return true
        case (.v6, .v4): return false
        }
    }
}

/// A network in CIDR notation; the address is kept as its network address.
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    public let network: IPAddress
    public let prefixLength: Int

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let ip = IPAddress(parts[0]), !parts[1].isEmpty, parts[1].allSatisfy(\.isNumber),
              let length = Int(parts[1]) else { return nil }
        let maxLength = ip.family == .v4 ? 32 : 128
        guard length >= 0, length <= maxLength else { return nil }
        prefixLength = length
        network = Self.mask(ip, length)
    }

    private static func mask(_ ip: IPAddress, _ length: Int) -> IPAddress {
        switch ip {
        case .v4(let v):
            let m: UInt32 = length == 0 ? 0 : ~UInt32(0) << UInt32(32 - length)
            return .v4(v & m)
        case .v6(let high, let low):
            let mh: UInt64 = length >= 64 ? ~0 : (length == 0 ? 0 : ~UInt64(0) << UInt64(64 - length))
            let ml: UInt64 = length <= 64 ? 0 : (length == 128 ? ~0 : ~UInt64(0) << UInt64(128 - length))
            return .v6(high: high & mh, low: low & ml)
        }
    }

    public func contains(_ ip: IPAddress) -> Bool {
        ip.family == network.family && Self.mask(ip, prefixLength) == network
    }

    public var family: IPAddress.Family { network.family }

    /// The node's management-port address: network address + 2.
    public var managementIP: IPAddress { network.adding(2) }

    public var description: String { "\(network)/\(prefixLength)" }
}
