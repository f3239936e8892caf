import ArgumentParser
import CMalloc
#if canImport(Glibc)
import Glibc
#endif

@main
struct OVNEgressCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ovn-egressctl",
        abstract: "Manage OVN-Kubernetes EgressService rows in an OVN Northbound database.",
        discussion: "Exit status: 0 success (diff: no difference), 1 diff found a difference, 2 error.",
        version: "ovn-egressctl 0.4.0 (OVN_Northbound schema 7.0.0)",
        subcommands: [Apply.self, Diff.self, List.self, Explain.self, NodePlanCommand.self, Delete.self, Run.self, MetalLB.self])

    /// `ovn-egressctl --db=X apply ...`, as ovn-nbctl is called: options before the command
    /// name are moved after it, where the command's option groups read them.
    static func subcommandFirst(_ args: [String]) -> [String] {
        let names = Set(configuration.subcommands.compactMap { $0.configuration.commandName ?? String(describing: $0).lowercased() })
        guard let i = args.firstIndex(where: { names.contains($0) }), i > 0 else { return args }
        return [args[i]] + args[(i + 1)...] + args[..<i]
    }

    /// Exits after flushing stdout: nothing after this point (an at-exit handler that ends
    /// the process early, as a sanitizer's leak check does) can cut the output short.
    static func exit(_ status: Int32) -> Never {
        fflush(nil) // every output stream
        Glibc.exit(status)
    }

    /// glibc gives each thread that allocates its own arena, and each keeps its own high-water
    /// mark: a 100,000-policy apply, whose manifests, reply and plan are built on three threads,
    /// peaked at 190-215 MiB this way against 148 MiB with one arena, for the same CPU time
    /// (interleaved runs; BENCHMARKS.md). The threads here rarely allocate at the same time.
    /// `MALLOC_ARENA_MAX` in the environment still wins.
    private static func useOneMallocArena() {
        if getenv("MALLOC_ARENA_MAX") == nil { _ = mallopt(M_ARENA_MAX, 1) }
    }

    /// Parses and runs; every failure (a bad flag included) exits 2 with a message on stderr.
    static func main() async {
        useOneMallocArena()
        do {
            var command = try parseAsRoot(subcommandFirst(Array(CommandLine.arguments.dropFirst())))
            if var async = command as? AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
            exit(0)
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch let failure as CommandFailure {
            printError(failure.description)
            exit(2)
        } catch {
            let status = exitCode(for: error)
            if status == .success {
                print(fullMessage(for: error))
                exit(0)
            }
            let message = fullMessage(for: error)
            printError(message.isEmpty ? "\(error)" : message)
            exit(2)
        }
    }
}
