import NIOCore

/// Turns the byte stream into JSON messages: `StreamFramer` finds each message's end and
/// `JSONReader` parses it (jansson's rules, without jansson's intermediate tree). Any failure closes the connection with a typed error.
struct FrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = JSON

    private var framer: StreamFramer

    init(maximumMessageSize: Int) {
        framer = StreamFramer(maximumMessageSize: maximumMessageSize)
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let result: Result<(JSON, Int)?, OVSDBClientError> = buffer.withUnsafeReadableBytes { bytes in
            do {
                guard let (range, consumed) = try framer.nextMessage(in: bytes) else { return .success(nil) }
                let message = UnsafeRawBufferPointer(rebasing: bytes[range])
                do {
                    return .success((try JSONReader.decode(message), consumed))
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
        case .success(let (json, consumed)?):
            buffer.moveReaderIndex(forwardBy: consumed)
            context.fireChannelRead(wrapInboundOut(json))
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
