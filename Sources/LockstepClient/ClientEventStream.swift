import LockstepCore

/// A client's events as an async sequence, event-driven: the transport's wake handler feeds an
/// `AsyncStream` of wake-ups (a message arrived, or the time the core asked for came: a tick
/// deadline, a ping, a reconnect), and each wake-up polls the client once on the consuming task.
/// Nothing runs between wake-ups, and there is no background task: the `for await` loop drives
/// the client. It ends after the match ends or the client fails, or when the task is cancelled.
///
/// Iterate it once, from one task; read the client (`session`, `tickPosition()`) between events.
public struct ClientEventStream<Simulation: DeterministicSimulation>: AsyncSequence {
    public typealias Element = ClientEvent
    let client: LockstepClient<Simulation>

    public func makeAsyncIterator() -> Iterator {
        Iterator(client: client)
    }

    /// Polls the client on each wake-up and hands out its events one by one.
    public struct Iterator: AsyncIteratorProtocol {
        private let client: LockstepClient<Simulation>
        private var wakes: AsyncStream<Void>.Iterator
        private var pending: [ClientEvent] = []
        private var index = 0
        private var started = false
        private var finished = false

        init(client: LockstepClient<Simulation>) {
            self.client = client
            let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
            wakes = stream.makeAsyncIterator()
            client.transport.setWakeHandler { continuation.yield() }
        }

        public mutating func next() async -> ClientEvent? {
            while true {
                if index < pending.count {
                    index += 1
                    return pending[index - 1]
                }
                if finished {
                    client.transport.setWakeHandler(nil)
                    return nil
                }
                if started {
                    if let instant = client.core.nextWakeup(now: ClientClock.now()) { client.transport.wake(at: instant) }
                    // Cancellation ends the stream (the wake-up stream answers nil).
                    guard await wakes.next() != nil else {
                        finished = true
                        continue
                    }
                }
                started = true
                pending = client.poll()
                index = 0
                if client.core.isFinished { finished = true }
            }
        }
    }
}
