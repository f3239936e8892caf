#if canImport(Glibc)
import Glibc
#endif
import OVSDBClient

/// Reads manifests from files, folders (every `.yaml`, `.yml` and `.json` below, in name
/// order) or standard input (`-`).
public enum ManifestLoader {
    /// Loads and checks everything under `paths`. An input with no object at all (an empty
    /// folder, a blank file, empty stdin) is an error: planning from it would mean "nothing
    /// should exist".
    public static func load(_ paths: [String]) throws(ManifestError) -> ClusterInput {
        var files: [String] = []
        for path in paths { files += try self.files(path) }
        let all = flatten(try ConcurrentManifestParse.objects(files))
        guard !all.isEmpty else {
            throw ManifestError(file: paths.joined(separator: ", "), message: "no Kubernetes objects found (empty input); nothing planned, nothing written")
        }
        return try ClusterInput(objects: all)
    }

    /// Parses one file's bytes: JSON through jansson when it starts with `{` or `[`, YAML
    /// (every document) through libyaml otherwise.
    static func parse(_ bytes: [UInt8], file: String) throws(ManifestError) -> [ManifestObject] {
        try parse(ManifestInput(bytes: bytes), file: file)
    }

    static func parse(_ input: ManifestInput, file: String) throws(ManifestError) -> [ManifestObject] {
        if input.startsJSON {
            let bytes = input.readAll()
            if input.failed { throw ManifestError(file: file, message: "cannot read") }
            let json: JSON
            do { json = try JanssonCodec.decode(bytes) } catch {
                throw ManifestError(file: file, document: 0, message: "JSON: \(error.message) at byte \(error.position)")
            }
            return try parse(json: json, file: file)
        }
        var decoder = ManifestDecoder(source: YAMLEventSource(input: input, file: file), file: file)
        return try decoder.objects()
    }

    /// One JSON document already parsed: an object, a `List`, or an array of documents.
    static func parse(json: JSON, file: String) throws(ManifestError) -> [ManifestObject] {
        // A top-level array of documents is one level more than a YAML stream of them.
        let allowed = maximumManifestDepth + (json.arrayValue != nil ? 1 : 0)
        guard depth(json, limit: allowed) <= allowed else {
            throw ManifestError(file: file, document: 0, message: "nested deeper than \(maximumManifestDepth) levels; not a Kubernetes manifest")
        }
        let documents = json.arrayValue ?? [json]
        var out: [ManifestObject] = []
        for (i, d) in documents.enumerated() {
            var decoder = ManifestDecoder(source: JSONEventSource(json: d), file: file)
            var objects = try decoder.objects()
            for j in objects.indices { objects[j].document = i }
            out += objects
        }
        return out
    }

    /// Nesting depth of `json` (containers only), counted no further than `limit` + 1.
    private static func depth(_ json: JSON, limit: Int) -> Int {
        var deepest = 0
        switch json {
        case .object(let o) where limit > 0: for v in o.values where deepest < limit { deepest = max(deepest, depth(v, limit: limit - 1)) }
        case .array(let a) where limit > 0: for v in a where deepest < limit { deepest = max(deepest, depth(v, limit: limit - 1)) }
        case .object, .array: break
        default: return 0
        }
        return 1 + deepest
    }

    /// `kind: List` objects are replaced by their items.
    static func flatten(_ objects: [ManifestObject]) -> [ManifestObject] {
        var out: [ManifestObject] = []
        for o in objects {
            if o.kind?.hasSuffix("List") == true && o.name == nil {
                out += flatten(o.items.map { item in
                    var i = item
                    i.document = o.document
                    return i
                })
            } else {
                out.append(o)
            }
        }
        return out
    }

    /// The checked objects of one file (none for a blank one), for watching files one by one.
    public static func objects(inFile file: String) throws(ManifestError) -> [ClusterObject] {
        try ClusterInput(objects: flatten(parse(ManifestInput(opening: file), file: file))).objects
    }

    /// The checked objects of each of `files` (as `objects(inFile:)` for each), parsed on
    /// every core; in the order given.
    public static func objects(inFiles files: [String]) -> [Result<[ClusterObject], ManifestError>] {
        ConcurrentManifestParse.objectsByFile(files).map { parsed in
            parsed.flatMap { objects in Result { () throws(ManifestError) in try ClusterInput(objects: flatten(objects)).objects } }
        }
    }

    /// Every manifest file below `path` (itself when it is a file), in name order.
    public static func manifestFiles(under path: String) -> [String] {
        (try? files(path)) ?? []
    }

    static func isManifestName(_ name: String) -> Bool {
        name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".json")
    }

    private static func files(_ path: String) throws(ManifestError) -> [String] {
        if path == "-" { return ["-"] }
        var st = stat()
        guard stat(path, &st) == 0 else { throw ManifestError(file: path, message: "no such file or folder") }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { return [path] }
        guard let dir = opendir(path) else { throw ManifestError(file: path, message: "cannot read folder") }
        defer { closedir(dir) }
        var out: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix(".") { continue }
            let full = path.hasSuffix("/") ? path + name : path + "/" + name
            var s = stat()
            guard stat(full, &s) == 0 else { continue }
            if (s.st_mode & S_IFMT) == S_IFDIR {
                out += try files(full)
            } else if isManifestName(name) {
                out.append(full)
            }
        }
        return out.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
