import CYAML

/// libyaml's event parser, reading its input a chunk at a time through a handler: a 30 MB
/// manifest is neither copied for it nor, from a file, held whole.
final class YAMLEventSource: ManifestEventSource {
    private var parser = yaml_parser_t()
    private let input: ManifestInput
    private let file: String
    private var depth: Int
    private let lineOffset: Int

    /// `lineOffset`: the lines of the file before `input` (a part of it); `depth`: how deep
    /// the part's top level sits in the file's document, so that the depth limit is the same.
    init(input: ManifestInput, file: String, lineOffset: Int = 0, depth: Int = 0) {
        self.input = input
        self.file = file
        self.lineOffset = lineOffset
        self.depth = depth
        yaml_parser_initialize(&parser)
        yaml_parser_set_input(&parser, { data, buffer, size, read in
            guard let data, let buffer, let read else { return 0 }
            let source = Unmanaged<YAMLEventSource>.fromOpaque(data).takeUnretainedValue()
            read.pointee = source.input.fill(buffer, size)
            return source.input.failed ? 0 : 1
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    convenience init(bytes: [UInt8], file: String) {
        self.init(input: ManifestInput(bytes: bytes), file: file)
    }

    deinit {
        yaml_parser_delete(&parser)
    }

    private func enter(_ line: Int) throws(ManifestError) {
        depth += 1
        if depth > maximumManifestDepth {
            throw ManifestError(file: file, line: line, message: "nested deeper than \(maximumManifestDepth) levels; not a Kubernetes manifest")
        }
    }

    func next() throws(ManifestError) -> (ManifestEvent, line: Int) {
        while true {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) == 1 else {
                if input.failed { throw ManifestError(file: file, message: "cannot read") }
                let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
                throw ManifestError(file: file, line: Int(parser.problem_mark.line) + 1 + lineOffset, message: "YAML: \(problem)")
            }
            defer { yaml_event_delete(&event) }
            let line = Int(event.start_mark.line) + 1 + lineOffset
            switch event.type {
            case YAML_STREAM_START_EVENT:
                continue
            case YAML_STREAM_END_EVENT: return (.streamEnd, line)
            case YAML_DOCUMENT_START_EVENT: return (.documentStart, line)
            case YAML_DOCUMENT_END_EVENT: return (.documentEnd, line)
            case YAML_MAPPING_START_EVENT:
                try enter(line)
                return (.mappingStart, line)
            case YAML_MAPPING_END_EVENT:
                depth -= 1
                return (.mappingEnd, line)
            case YAML_SEQUENCE_START_EVENT:
                try enter(line)
                return (.sequenceStart, line)
            case YAML_SEQUENCE_END_EVENT:
                depth -= 1
                return (.sequenceEnd, line)
            case YAML_SCALAR_EVENT:
                let s = event.data.scalar
                let text = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length), as: UTF8.self)
                return (.scalar(text, plain: s.style == YAML_PLAIN_SCALAR_STYLE), line)
            case YAML_ALIAS_EVENT:
                throw ManifestError(file: file, line: line, message: "YAML aliases are not supported in manifests")
            default:
                continue
            }
        }
    }
}
