/// Printing values that did not come through `KubernetesNames` (rows another writer put in
/// the database, rejected input in an error message) so that they stay on one line and say
/// only what they are.
public enum SafeText {
    /// Printable ASCII as is; anything else (newlines, NUL, escapes, non-ASCII, bidi
    /// controls) as `\n`, `\x00` or `\u{...}`; cut after `limit` characters.
    public static func escaped(_ s: String, limit: Int = 200) -> String {
        var out = ""
        var count = 0
        for scalar in s.unicodeScalars {
            if count >= limit { return out + "...(\(s.unicodeScalars.count) characters)" }
            count += 1
            switch scalar.value {
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x5C: out += "\\\\"
            case 0x20...0x7E: out.unicodeScalars.append(scalar)
            case 0x00...0x1F, 0x7F: out += "\\x" + hex(scalar.value, width: 2)
            default: out += "\\u{" + hex(scalar.value, width: 1) + "}"
            }
        }
        return out
    }

    /// `"value"` with the escapes above, for error messages.
    public static func quoted(_ s: String) -> String {
        "\"" + escaped(s).split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\\\"") + "\""
    }

    /// One shell word: single-quoted, with `'` written as `'\''`.
    public static func shellWord(_ s: String) -> String {
        "'" + s.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }

    private static func hex(_ v: UInt32, width: Int) -> String {
        let digits = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
