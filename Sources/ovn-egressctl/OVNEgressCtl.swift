import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

@main
struct OVNEgressCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ovn-egressctl",
        abstract: "Manage OVN-Kubernetes EgressService rows in an OVN Northbound database.",
        discussion: "Exit status: 0 success (diff: no difference), 1 diff found a difference, 2 error.",
        subcommands: [Apply.self, Diff.self, List.self, Explain.self, NodePlanCommand.self, Delete.self])

    /// `ovn-egressctl --db=X apply ...`, as ovn-nbctl is called: options before the command
    /// name are moved after it, where the command's option groups read them.
    static func subcommandFirst(_ args: [String]) -> [String] {
        let names = Set(configuration.subcommands.compactMap { $0.configuration.commandName ?? String(describing: $0).lowercased() })
        guard let i = args.firstIndex(where: { names.contains($0) }), i > 0 else { return args }
        return [args[i]] + args[(i + 1)...] + args[..<i]
    }

    /// Parses and runs; every failure (a bad flag included) exits 2 with a message on stderr.
    static func main() async {
        do {
            var command = try parseAsRoot(subcommandFirst(Array(CommandLine.arguments.dropFirst())))
            if var async = command as? AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
            Glibc.exit(0)
        } catch let code as ExitCode {
            Glibc.exit(code.rawValue)
        } catch let failure as CommandFailure {
            printError(failure.description)
            Glibc.exit(2)
        } catch {
            let status = exitCode(for: error)
            if status == .success {
                print(fullMessage(for: error))
                Glibc.exit(0)
            }
            let message = fullMessage(for: error)
            printError(message.isEmpty ? "\(error)" : message)
            Glibc.exit(2)
        }
    }
}
