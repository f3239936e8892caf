/// Reconnect delays: exponential from `initial` to `maximum`, each drawn at random from
/// [d/2, d] so that many clients losing one server do not come back in step.
public struct Backoff: Sendable {
    public var initial: Duration
    public var maximum: Duration
    private var current: Duration?

    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(8)) {
        self.initial = initial
        self.maximum = maximum
    }

    public mutating func next<G: RandomNumberGenerator>(using g: inout G) -> Duration {
        let d = current.map { min($0 * 2, maximum) } ?? initial
        current = d
        let ms = max(1, Int(d / .milliseconds(1)))
        return .milliseconds(Int.random(in: (ms / 2)...ms, using: &g))
    }

    public mutating func next() -> Duration {
        var g = SystemRandomNumberGenerator()
        return next(using: &g)
    }

    public mutating func reset() { current = nil }
}
