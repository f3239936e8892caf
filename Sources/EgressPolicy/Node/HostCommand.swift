import Subprocess

/// One run of a host tool (iptables-restore, nft, ip): its exit status and output. The
/// arguments are an argv, never a shell line, and the input is what the tool reads on stdin.
struct HostCommand: Sendable {
    var status: Int32
    var output: String
    var errorOutput: String

    var succeeded: Bool { status == 0 }

    /// Why a run failed, for a log line: the tool, its status and the first line it printed.
    func failure(_ tool: String) -> NodeAgentError {
        let why = errorOutput.split(separator: "\n").first.map(String.init) ?? ""
        return .commandFailed(tool, status: status, message: SafeText.escaped(why))
    }

    static func run(_ tool: String, _ arguments: [String], input: String? = nil) async throws(NodeAgentError) -> HostCommand {
        do {
            // A name is looked up on PATH; a path (`--kubectl /usr/local/bin/kubectl`) is run as is.
            let executable: Executable = tool.contains("/") ? .path(.init(tool)) : .name(tool)
            let result = try await Subprocess.run(executable, arguments: Arguments(arguments), input: .string(input ?? ""),
                                                  output: .string(limit: 16 << 20), error: .string(limit: 1 << 20))
            let status: Int32
            switch result.terminationStatus {
            case .exited(let code): status = code
            case .signaled(let signal): status = 128 + signal
            }
            return HostCommand(status: status, output: result.standardOutput, errorOutput: result.standardError)
        } catch {
            throw .commandMissing(tool, reason: "\(error)")
        }
    }
}

/// Why the node agent could not bring the node in step.
public enum NodeAgentError: Error, Sendable, CustomStringConvertible {
    case commandMissing(String, reason: String)
    case commandFailed(String, status: Int32, message: String)
    case unreadable(String, reason: String)
    case noSuchNode(String)

    public var description: String {
        switch self {
        case .commandMissing(let tool, let why): return "cannot run \(tool) (\(why)): is it installed and on PATH?"
        case .commandFailed(let tool, let status, let message): return "\(tool) exited \(status): \(message)"
        case .unreadable(let what, let why): return "cannot read \(what): \(why)"
        case .noSuchNode(let node): return "no Node \(SafeText.quoted(node)) in the input"
        }
    }
}
