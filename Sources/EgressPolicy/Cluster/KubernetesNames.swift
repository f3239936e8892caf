/// The name and label rules the Kubernetes API server enforces (apimachinery's
/// `validation.IsDNS1123Label` and friends), checked byte by byte. Every value that reaches a
/// match string, an external id or a node-plan line passes one of these first, so the
/// printers only ever see `[a-z0-9.-]`, label characters or a routing-table name.
public enum KubernetesNames {
    /// nil when valid, else why not (for the error message).
    public typealias Check = (String) -> String?

    /// Namespaces: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 bytes.
    public static func dns1123Label(_ s: String) -> String? {
        label(Array(s.utf8), firstMayBeDigit: true, what: "a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63)")
    }

    /// Service and EgressService names: as a DNS-1123 label, but starting with a letter.
    public static func dns1035Label(_ s: String) -> String? {
        label(Array(s.utf8), firstMayBeDigit: false, what: "a DNS-1035 label (lower-case letters, digits and '-', starting with a letter and ending with a letter or digit, at most 63)")
    }

    /// Node and EndpointSlice names: dot-separated DNS-1123 labels, at most 253 bytes.
    public static func dns1123Subdomain(_ s: String) -> String? {
        let what = "a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', each part starting and ending with a letter or digit, at most 253)"
        let bytes = Array(s.utf8)
        guard !bytes.isEmpty, bytes.count <= 253 else { return "is not \(what)" }
        for part in bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            if label(Array(part), firstMayBeDigit: true, what: what, maxLength: 253) != nil { return "is not \(what)" }
        }
        return nil
    }

    /// Label keys: `[prefix/]name`, the prefix a DNS-1123 subdomain, the name a qualified name.
    public static func labelKey(_ s: String) -> String? {
        let what = "a label key ([DNS-1123 subdomain/]name, the name at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)"
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return qualifiedName(Array(s.utf8)) ? nil : "is not \(what)"
        case 2:
            guard dns1123Subdomain(String(parts[0])) == nil, qualifiedName(Array(parts[1].utf8)) else { return "is not \(what)" }
            return nil
        default: return "is not \(what)"
        }
    }

    /// Label values: empty, or a qualified name of at most 63 bytes.
    public static func labelValue(_ s: String) -> String? {
        s.isEmpty || qualifiedName(Array(s.utf8)) ? nil
            : "is not a label value (empty, or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit)"
    }

    /// `spec.network`: a routing table id (1 to 2^32-1) or a table name `ip rule` accepts.
    /// Names start with a letter so that they can never read as a number or an option.
    public static func routingTable(_ s: String) -> String? {
        let bytes = Array(s.utf8)
        let what = "is not a routing table: an id from 1 to 4294967295, or a name of at most 64 letters, digits, '_', '-' and '.' starting with a letter"
        guard let first = bytes.first, bytes.count <= 64 else { return what }
        if isDigit(first) {
            guard bytes.allSatisfy(isDigit), first != UInt8(ascii: "0"), let id = UInt64(s), id <= UInt64(UInt32.max) else { return what }
            return nil
        }
        guard isLetter(first), bytes.allSatisfy({ isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }) else {
            return what
        }
        return nil
    }

    // MARK: bytes

    private static func label(_ b: [UInt8], firstMayBeDigit: Bool, what: String, maxLength: Int = 63) -> String? {
        guard let first = b.first, let last = b.last, b.count <= maxLength else { return "is not \(what)" }
        let lowerOrDigit = { (c: UInt8) in isLower(c) || isDigit(c) }
        guard firstMayBeDigit ? lowerOrDigit(first) : isLower(first), lowerOrDigit(last),
              b.allSatisfy({ lowerOrDigit($0) || $0 == UInt8(ascii: "-") }) else { return "is not \(what)" }
        return nil
    }

    private static func qualifiedName(_ b: [UInt8]) -> Bool {
        let alnum = { (c: UInt8) in isLetter(c) || isDigit(c) }
        guard let first = b.first, let last = b.last, b.count <= 63, alnum(first), alnum(last) else { return false }
        return b.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isLower(_ c: UInt8) -> Bool { c >= 0x61 && c <= 0x7A }
    private static func isLetter(_ c: UInt8) -> Bool { isLower(c) || (c >= 0x41 && c <= 0x5A) }
}
