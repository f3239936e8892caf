/// Turns OVSDB names (`Logical_Router_Policy`, `external_ids`, `from-lport`) into Swift names.
enum SwiftNames {
    /// Words written in capitals in Swift names (`externalIDs`, `DHCPOptions`).
    static let acronyms: Set<String> = ["id", "ids", "ip", "ips", "mac", "macs", "uuid", "bfd", "nat", "acl", "acls",
                                        "lb", "qos", "ha", "dhcp", "dns", "ssl", "mtu", "ipv4", "ipv6", "nb", "sb", "vtep"]

    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
        "internal", "let", "open", "operator", "private", "protocol", "public", "rethrows", "static", "struct",
        "subscript", "typealias", "var", "break", "case", "continue", "default", "defer", "do", "else", "fallthrough",
        "for", "guard", "if", "in", "repeat", "return", "switch", "where", "while", "as", "Any", "catch", "false", "is",
        "nil", "super", "self", "Self", "throw", "throws", "true", "try", "Type", "Protocol",
    ]

    static func words(_ name: String) -> [String] {
        var words: [String] = []
        var current = ""
        for ch in name {
            if ch.isLetter || ch.isNumber {
                current.append(ch)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// `Logical_Router_Policy` -> `LogicalRouterPolicy`, `NB_Global` -> `NBGlobal`.
    static func typeName(_ name: String) -> String {
        let parts = words(name).map { w -> String in
            if acronyms.contains(w.lowercased()) && w == w.lowercased() { return capitalizedAcronym(w) }
            return w.prefix(1).uppercased() + w.dropFirst()
        }
        var s = parts.joined()
        if s.first?.isNumber ?? true { s = "T" + s }
        return s
    }

    /// `external_ids` -> `externalIDs`, `from-lport` -> `fromLport`.
    static func memberName(_ name: String) -> String {
        let parts = words(name)
        guard let first = parts.first else { return "_" }
        var s = first.lowercased()
        for w in parts.dropFirst() {
            s += acronyms.contains(w.lowercased()) ? capitalizedAcronym(w.lowercased()) : w.prefix(1).uppercased() + w.dropFirst().lowercased()
        }
        if s.first?.isNumber ?? false { s = "_" + s }
        return s
    }

    private static func capitalizedAcronym(_ w: String) -> String {
        // "ids" -> "IDs", "ipv4" -> "IPv4"
        if w.hasSuffix("s"), w.count > 2, acronyms.contains(String(w.dropLast())) { return w.dropLast().uppercased() + "s" }
        if w.hasPrefix("ipv") { return "IPv" + w.dropFirst(3) }
        return w.uppercased()
    }

    static func escaped(_ name: String) -> String {
        keywords.contains(name) ? "`\(name)`" : name
    }

    /// A Swift string literal for any OVSDB string.
    static func literal(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 { out += "\\u{\(String(scalar.value, radix: 16))}" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
