import CoreMetrics

/// The controller's counters and gauges, made by one factory (a Prometheus registry in
/// `ovn-egressctl run`; no global metrics system is assumed), each with the dimensions given
/// (`zone`, when one `run` keeps several zones).
struct ControllerMetrics: Sendable {
    let reconciles: Counter
    let transactions: Counter
    let writeOperations: Counter
    let driftRepairs: Counter
    let errors: Counter
    let conflicts: Counter
    let lastDuration: Gauge
    let lockHolder: Gauge
    let connected: Gauge
    let ownedPolicies: Gauge
    let objects: Gauge

    init(factory: any MetricsFactory, dimensions: [(String, String)] = []) {
        reconciles = Counter(label: "ovn_egressctl_reconciles_total", dimensions: dimensions, factory: factory)
        transactions = Counter(label: "ovn_egressctl_transactions_total", dimensions: dimensions, factory: factory)
        writeOperations = Counter(label: "ovn_egressctl_write_operations_total", dimensions: dimensions, factory: factory)
        driftRepairs = Counter(label: "ovn_egressctl_drift_repairs_total", dimensions: dimensions, factory: factory)
        errors = Counter(label: "ovn_egressctl_reconcile_errors_total", dimensions: dimensions, factory: factory)
        conflicts = Counter(label: "ovn_egressctl_conflicts_total", dimensions: dimensions, factory: factory)
        lastDuration = Gauge(label: "ovn_egressctl_last_reconcile_duration_seconds", dimensions: dimensions, factory: factory)
        lockHolder = Gauge(label: "ovn_egressctl_lock_holder", dimensions: dimensions, factory: factory)
        connected = Gauge(label: "ovn_egressctl_connected", dimensions: dimensions, factory: factory)
        ownedPolicies = Gauge(label: "ovn_egressctl_owned_policies", dimensions: dimensions, factory: factory)
        objects = Gauge(label: "ovn_egressctl_input_objects", dimensions: dimensions, factory: factory)
    }
}
