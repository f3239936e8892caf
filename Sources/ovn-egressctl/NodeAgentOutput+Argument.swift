import ArgumentParser
import EgressPolicy

extension NodeAgent.Output: ExpressibleByArgument {}
