/// Where a large YAML manifest can be cut into parts that libyaml parses on their own, so that
/// one file is read on every core: between documents (`---` at the start of a line), or, in a
/// file of one `kind: List` document as `kubectl get -o yaml` prints it, between the items
/// (`- ` at the start of a line under `items:`).
///
/// Only lines that start at column 0 are looked at. In YAML such a line is either a marker, a
/// key of the top-level mapping or an entry of a top-level sequence: everything nested inside
/// an item or a document (block scalars included) is indented. A quoted or flow scalar
/// continued at column 0 would be cut, but then the part before the cut ends inside it, which
/// libyaml refuses; the caller parses the whole file again whenever a part fails, so a cut
/// can change an error's wording never its meaning, and never what a manifest holds.
#if canImport(Glibc)
import Glibc
#endif

struct ManifestSplit {
    enum Kind {
        /// Whole documents; their indexes continue from the parts before.
        case documents
        /// A run of the List's items: a top-level sequence of mappings.
        case listItems
    }

    struct Part {
        var range: Range<Int>
        /// The lines of the file before the part.
        var firstLine: Int
    }

    var kind: Kind
    var parts: [Part]
    /// For `listItems`: the List document without its items (`items: []`).
    var listWithoutItems: [UInt8] = []

    /// The parts of `bytes`, each about `size` bytes or more; nil when the file cannot be cut
    /// (one part, directives, a top level other than these two shapes).
    static func cut(_ bytes: UnsafeRawBufferPointer, size: Int) -> ManifestSplit? {
        // A byte-order mark other than UTF-8's means another encoding: the markers below
        // would not be these bytes.
        if let first = bytes.first, first == 0xFE || first == 0xFF || first == 0 { return nil }
        if bytes.count > 1, bytes[1] == 0 { return nil }
        if hasOtherLineBreaks(bytes) { return nil }
        var documents: [Part] = []
        var items: [Part] = []
        var itemsKey: Range<Int>?
        var itemsEnd: Int?
        // Whether the file still looks like one List as kubectl prints it.
        var listShape = true
        var line = 0
        var start = 0
        while start < bytes.count {
            let end = lineEnd(bytes, from: start)
            switch classify(bytes, start, end) {
            case .blank: break
            case .refused: return nil
            case .indentedContent:
                // Content between `items:` and its first entry.
                if itemsKey != nil, items.isEmpty, itemsEnd == nil { listShape = false }
            case .documentStart:
                documents.append(Part(range: start..<start, firstLine: line))
                if itemsKey != nil, itemsEnd == nil { itemsEnd = start }
            case .sequenceEntry:
                if itemsKey != nil, itemsEnd == nil {
                    items.append(Part(range: start..<start, firstLine: line))
                } else {
                    listShape = false
                }
            case .key(let isItems):
                if itemsKey != nil {
                    if itemsEnd == nil { itemsEnd = start } else if isItems { listShape = false }
                } else if isItems {
                    itemsKey = start..<min(end + 1, bytes.count)
                }
            }
            line += 1
            start = end + 1
        }
        if documents.count > 1 || (documents.count == 1 && hasContent(bytes, before: documents[0].range.lowerBound)) {
            if documents[0].range.lowerBound > 0 { documents.insert(Part(range: 0..<0, firstLine: 0), at: 0) }
            return group(documents, end: bytes.count, size: size).map { ManifestSplit(kind: .documents, parts: $0) }
        }
        guard listShape, let itemsKey, !items.isEmpty else { return nil }
        let end = itemsEnd ?? bytes.count
        guard let parts = group(items, end: end, size: size) else { return nil }
        var wrapper = Array(bytes[..<itemsKey.lowerBound])
        wrapper += Array("items: []\n".utf8)
        wrapper += Array(bytes[end...])
        return ManifestSplit(kind: .listItems, parts: parts, listWithoutItems: wrapper)
    }

    private enum Line {
        /// Blank, or a comment.
        case blank
        case indentedContent
        /// Something the cut does not handle (directives, document ends, a lone carriage
        /// return, which libyaml reads as a line break): the file is parsed whole.
        case refused
        case documentStart
        case sequenceEntry
        case key(isItems: Bool)
    }

    private static let itemsKey = Array("items:".utf8)

    private static func classify(_ b: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Line {
        guard start < end else { return .blank }
        let c = b[start]
        if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") {
            var i = start
            while i < end, b[i] == UInt8(ascii: " ") || b[i] == UInt8(ascii: "\t") || b[i] == UInt8(ascii: "\r") { i += 1 }
            if i == end || b[i] == UInt8(ascii: "#") { return .blank }
            return .indentedContent
        }
        if c == UInt8(ascii: "\r") { return end == start + 1 ? .blank : .refused }
        if c == UInt8(ascii: "#") { return .blank }
        if c == UInt8(ascii: "%") { return .refused }
        if marker(b, start, end, UInt8(ascii: "-")) { return .documentStart }
        if marker(b, start, end, UInt8(ascii: ".")) { return .refused }
        if c == UInt8(ascii: "-"), start + 1 == end || separates(b[start + 1]) { return .sequenceEntry }
        // `items:` alone on its line (trailing blanks allowed): the List's key.
        let key = itemsKey
        guard end - start >= key.count, (0..<key.count).allSatisfy({ b[start + $0] == key[$0] }) else { return .key(isItems: false) }
        return .key(isItems: (start + key.count..<end).allSatisfy { separates(b[$0]) })
    }

    /// Whether libyaml would break a line where this scan does not: a carriage return not
    /// followed by a line feed, or NEL, LS, PS.
    private static func hasOtherLineBreaks(_ b: UnsafeRawBufferPointer) -> Bool {
        guard let base = b.baseAddress else { return false }
        func any(_ c: UInt8, _ test: (Int) -> Bool) -> Bool {
            var from = 0
            while from < b.count, let hit = memchr(base + from, Int32(c), b.count - from) {
                let i = base.distance(to: UnsafeRawPointer(hit))
                if test(i) { return true }
                from = i + 1
            }
            return false
        }
        return any(0x0D) { $0 + 1 == b.count || b[$0 + 1] != 0x0A }
            || any(0xC2) { $0 + 1 < b.count && b[$0 + 1] == 0x85 }
            || any(0xE2) { $0 + 2 < b.count && b[$0 + 1] == 0x80 && (b[$0 + 2] == 0xA8 || b[$0 + 2] == 0xA9) }
    }

    /// `---` or `...` followed by a blank or the line's end.
    private static func marker(_ b: UnsafeRawBufferPointer, _ start: Int, _ end: Int, _ c: UInt8) -> Bool {
        end - start >= 3 && b[start] == c && b[start + 1] == c && b[start + 2] == c && (end - start == 3 || separates(b[start + 3]))
    }

    private static func separates(_ c: UInt8) -> Bool {
        c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r")
    }

    private static func lineEnd(_ b: UnsafeRawBufferPointer, from start: Int) -> Int {
        guard let base = b.baseAddress, start < b.count,
              let hit = memchr(base + start, 0x0A, b.count - start) else { return b.count }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    /// Whether anything but blank and comment lines comes before `offset`.
    private static func hasContent(_ b: UnsafeRawBufferPointer, before offset: Int) -> Bool {
        var start = 0
        while start < offset {
            let end = lineEnd(b, from: start)
            if case .blank = classify(b, start, end) {} else { return true }
            start = end + 1
        }
        return false
    }

    /// Consecutive cut points joined into parts of at least `size` bytes (the last may be
    /// smaller); nil when that leaves one part.
    private static func group(_ points: [Part], end: Int, size: Int) -> [Part]? {
        var parts: [Part] = []
        for (i, p) in points.enumerated() {
            let next = i + 1 < points.count ? points[i + 1].range.lowerBound : end
            if let last = parts.last, last.range.count < size {
                parts[parts.count - 1].range = last.range.lowerBound..<next
            } else {
                parts.append(Part(range: p.range.lowerBound..<next, firstLine: p.firstLine))
            }
        }
        return parts.count > 1 ? parts : nil
    }
}
