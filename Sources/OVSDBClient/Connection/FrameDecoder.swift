import NIOCore

/// One message from the server: parsed, or, when large, its bytes for the handler to read in
/// place (a monitor's initial reply can be tens of megabytes).
enum RPCFrame: Equatable {
    case json(JSON)
    case large(ByteBuffer)
}

/// Turns the byte stream into messages: `StreamFramer` finds each message's end and
/// `JSONReader` parses it (jansson's rules, without jansson's intermediate tree); a message of
/// `largeMessageSize` bytes or more is passed on unparsed. Any failure closes the connection
/// with a typed error.
struct FrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = RPCFrame
    static let defaultLargeMessageSize = 1 << 20

    private var framer: StreamFramer
    private let largeMessageSize: Int

    init(maximumMessageSize: Int, largeMessageSize: Int = FrameDecoder.defaultLargeMessageSize) {
        framer = StreamFramer(maximumMessageSize: maximumMessageSize)
        self.largeMessageSize = largeMessageSize
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let large = largeMessageSize
        let result: Result<(RPCFrame?, Range<Int>, Int)?, OVSDBClientError> = buffer.withUnsafeReadableBytes { bytes in
            do {
                guard let (range, consumed) = try framer.nextMessage(in: bytes) else { return .success(nil) }
                if range.count >= large { return .success((nil, range, consumed)) }
                let message = UnsafeRawBufferPointer(rebasing: bytes[range])
                do {
                    return .success((.json(try JSONReader.decode(message)), range, consumed))
                } catch {
                    return .failure(.protocolViolation("bad JSON from server: \(error)"))
                }
            } catch {
                return .failure(.protocolViolation("\(error)"))
            }
        }
        switch result {
        case .failure(let e):
            throw e
        case .success(nil):
            return .needMoreData
        case .success(let (frame, range, consumed)?):
            let out = frame ?? .large(buffer.getSlice(at: buffer.readerIndex + range.lowerBound, length: range.count)!)
            buffer.moveReaderIndex(forwardBy: consumed)
            context.fireChannelRead(wrapInboundOut(out))
            return .continue
        }
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        let leftover = buffer.readableBytesView.contains { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        if leftover {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            throw OVSDBClientError.protocolViolation("connection closed in the middle of a message")
        }
        return .needMoreData
    }
}
