#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Strings compared by their UTF-8 bytes, as Open vSwitch compares them (`strcmp`), not by
/// Swift's canonical equivalence. One `memcmp` each: the generic byte-by-byte sequence walk
/// was the largest cost of applying a change to a 100,000-member set.
public enum ByteOrder {
    public static func less(_ a: String, _ b: String) -> Bool { compare(a, b) < 0 }

    public static func equal(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && compare(a, b) == 0
    }

    /// Negative, zero or positive as `a` sorts before, with or after `b`.
    public static func compare(_ a: String, _ b: String) -> Int {
        var a = a
        var b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let common = min(x.count, y.count)
                if common > 0, let p = x.baseAddress, let q = y.baseAddress {
                    let r = memcmp(p, q, common)
                    if r != 0 { return Int(r) }
                }
                return x.count - y.count
            }
        }
    }
}
