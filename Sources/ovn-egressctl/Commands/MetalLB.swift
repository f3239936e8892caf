import ArgumentParser
import EgressPolicy

struct MetalLB: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metallb",
        abstract: "Print MetalLB BGPAdvertisements that announce each egress service's ingress IP only from its egress host.",
        discussion: """
        With BGP, MetalLB announces a LoadBalancer IP from every node unless told otherwise; egress traffic SNATed to that IP on the egress host then returns to whichever node the router picked. For each EgressService (sourceIPBy LoadBalancerIP) whose Service names its pool with the metallb.universe.tf/address-pool annotation, this prints a BGPAdvertisement (metallb.io/v1beta1) for that pool whose nodeSelectors match the label OVN-Kubernetes puts on the egress host, egress-service.k8s.ovn.org/NAMESPACE-NAME: "". Services without the annotation are named on stderr. Nothing is read from or written to the database.

        Example:
          ovn-egressctl metallb -f examples/worked-example | kubectl apply -f -
        """)

    @Option(name: .shortAndLong, help: "Manifest file or folder (repeatable; - for stdin).")
    var file: [String] = []
    @Option(name: .long, help: "The namespace MetalLB runs in.")
    var namespace = "metallb-system"

    func validate() throws {
        guard !file.isEmpty else { throw ValidationError("metallb needs -f PATH") }
        if let why = KubernetesNames.dns1123Label(namespace) { throw ValidationError("--namespace \(SafeText.quoted(namespace)) \(why)") }
    }

    func run() async throws {
        let input = try loadManifests(file)
        let plan = MetalLBAdvertisements(input: input)
        for note in plan.notes { printError("note: \(note)") }
        guard !plan.advertisements.isEmpty else {
            throw CommandFailure("no EgressService in the input names a MetalLB pool; nothing printed")
        }
        print(plan.yaml(namespace: namespace), terminator: "")
    }
}
