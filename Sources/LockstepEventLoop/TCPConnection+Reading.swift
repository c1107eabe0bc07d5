#if canImport(Glibc)
import Glibc
#endif

extension TCPConnection {
    public func handleEvents(_ events: UInt32) {
        if events & (EpollBits.read | EpollBits.hangup | EpollBits.error) != 0 { readNow() }
        if events & EpollBits.write != 0, state != .closed { flushNow() }
    }

    func readNow() {
        guard state != .closed else { return }
        if state == .lingering {
            discardUntilEOF()
            return
        }
        if writerIndex == readBuffer.count && !makeRoom() {
            // The peer sent more than any acceptable message without the protocol layer
            // consuming it; the delegate's limits should have caught this first.
            closeNow(error: SystemError("read", errno: ENOBUFS))
            return
        }
        let space = readBuffer.count - writerIndex
        let result: IOResult<Int>
        do {
            result = try SystemCall.run("read") { Glibc.read(fd, readBuffer.baseAddress! + writerIndex, space) }
        } catch {
            closeNow(error: error)
            return
        }
        guard case .processed(let count) = result else { return }
        guard count > 0 else {
            closeNow(error: nil)
            return
        }
        writerIndex += count
        bytesReadCounter?.add(UInt64(count))
        var offered = delegate
        let window = UnsafeMutableRawBufferPointer(rebasing: readBuffer[readerIndex..<writerIndex])
        let consumed = offered?.connection(self, didRead: window) ?? window.count
        guard state != .closed else { return }
        readerIndex += min(max(consumed, 0), window.count)
        // Moving: the new loop takes over the buffer; this thread must not touch it again.
        guard state == .open else { return }
        // A delegate replaced during the call (an HTTP upgrade) is offered the rest at once.
        while state == .open, readerIndex < writerIndex, let current = delegate, current !== offered {
            offered = current
            processBufferedInput()
        }
        if readerIndex == writerIndex {
            readerIndex = 0
            writerIndex = 0
            shrinkIfLarge()
        }
    }

    /// Compacts or grows the buffer; returns `false` at the limit.
    private func makeRoom() -> Bool {
        if readerIndex > 0 {
            let live = writerIndex - readerIndex
            readBuffer.baseAddress!.copyMemory(from: readBuffer.baseAddress! + readerIndex, byteCount: live)
            readerIndex = 0
            writerIndex = live
            return true
        }
        guard readBuffer.count < configuration.maxReadBufferSize else { return false }
        let grown = UnsafeMutableRawBufferPointer.allocate(
            byteCount: min(configuration.maxReadBufferSize, readBuffer.count * 2), alignment: 16)
        grown.baseAddress!.copyMemory(from: readBuffer.baseAddress!, byteCount: writerIndex)
        readBuffer.deallocate()
        readBuffer = grown
        return true
    }

    private func shrinkIfLarge() {
        guard readBuffer.count > 4 * configuration.initialReadBufferSize else { return }
        readBuffer.deallocate()
        readBuffer = .allocate(byteCount: configuration.initialReadBufferSize, alignment: 16)
    }

    /// Ensures the read buffer can hold `count` bytes in total (for a frame whose header announced its size).
    public func reserveReadCapacity(_ count: Int) {
        guard count > readBuffer.count, count <= configuration.maxReadBufferSize else { return }
        let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
        let live = writerIndex - readerIndex
        grown.baseAddress!.copyMemory(from: readBuffer.baseAddress! + readerIndex, byteCount: live)
        readBuffer.deallocate()
        readBuffer = grown
        readerIndex = 0
        writerIndex = live
    }

    private func discardUntilEOF() {
        while true {
            let result = try? SystemCall.run("read") { Glibc.read(fd, readBuffer.baseAddress!, readBuffer.count) }
            switch result {
            case .processed(let count) where count > 0: continue
            case .wouldBlock: return
            default:
                closeNow(error: nil)
                return
            }
        }
    }
}
