// A tiny RFC 6455 WebSocket client over node:net with the browser's WebSocket shape (onopen,
// onmessage, onclose, onerror, send, close, readyState, binaryType), so tests can hand
// LockstepClient a constructor on Node 20, which has no global WebSocket without
// --experimental-websocket. ws:// only; client frames masked (§5.3); fragmented messages
// reassembled (§5.4); pings answered (§5.5.2); a close answered and reported with its code, or
// 1006 when the TCP connection ends without one (§7.1.5).

import { createHash, randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

export class NodeWebSocket {
    static CONNECTING = CONNECTING;
    static OPEN = OPEN;
    static CLOSING = CLOSING;
    static CLOSED = CLOSED;

    constructor(url, protocols = []) {
        const target = new URL(url);
        if (target.protocol !== 'ws:') throw new SyntaxError(`only ws:// URLs: ${url}`);
        this.url = url;
        this.readyState = CONNECTING;
        this.binaryType = 'arraybuffer';
        this.protocol = '';
        this.onopen = this.onmessage = this.onclose = this.onerror = null;
        this.offered = typeof protocols === 'string' ? [protocols] : protocols;
        this.key = randomBytes(16).toString('base64');
        this.buffer = Buffer.alloc(0);
        this.handshaken = false;
        this.fragments = null;
        this.closeCode = null;
        this.socket = createConnection({ host: target.hostname, port: Number(target.port || 80) });
        this.socket.setNoDelay(true);
        this.socket.on('connect', () => {
            const headers = [
                `GET ${target.pathname}${target.search} HTTP/1.1`, `Host: ${target.host}`, 'Upgrade: websocket', 'Connection: Upgrade',
                `Sec-WebSocket-Key: ${this.key}`, 'Sec-WebSocket-Version: 13',
                ...(this.offered.length > 0 ? [`Sec-WebSocket-Protocol: ${this.offered.join(', ')}`] : []),
            ];
            this.socket.write(`${headers.join('\r\n')}\r\n\r\n`);
        });
        this.socket.on('data', (chunk) => this.receive(chunk));
        this.socket.on('error', () => this.fire('onerror', { type: 'error' }));
        this.socket.on('close', () => this.finish(this.closeCode ?? 1006));
    }

    send(data) {
        if (this.readyState !== OPEN) throw new Error('the WebSocket is not open');
        if (typeof data === 'string') this.frame(0x1, Buffer.from(data, 'utf8'));
        else this.frame(0x2, Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data));
    }

    close(code = 1000, reason = '') {
        if (this.readyState === CLOSING || this.readyState === CLOSED) return;
        if (this.readyState === CONNECTING) {
            this.socket.destroy();
            return;
        }
        this.readyState = CLOSING;
        const body = Buffer.alloc(2 + Buffer.byteLength(reason));
        body.writeUInt16BE(code, 0);
        body.write(reason, 2);
        this.frame(0x8, body);
    }

    fire(handler, event) {
        this[handler]?.(event);
    }

    finish(code) {
        if (this.readyState === CLOSED) return;
        this.readyState = CLOSED;
        this.socket.destroy();
        this.fire('onclose', { type: 'close', code, wasClean: code !== 1006 });
    }

    frame(opcode, payload) {
        const mask = randomBytes(4);
        const length = payload.length;
        const header = length < 126 ? Buffer.alloc(2) : length < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
        header[0] = 0x80 | opcode;
        if (length < 126) {
            header[1] = 0x80 | length;
        } else if (length < 65536) {
            header[1] = 0x80 | 126;
            header.writeUInt16BE(length, 2);
        } else {
            header[1] = 0x80 | 127;
            header.writeBigUInt64BE(BigInt(length), 2);
        }
        const masked = Buffer.alloc(length);
        for (let index = 0; index < length; index++) masked[index] = payload[index] ^ mask[index & 3];
        this.socket.write(Buffer.concat([header, mask, masked]));
    }

    receive(chunk) {
        this.buffer = Buffer.concat([this.buffer, chunk]);
        if (!this.handshaken && !this.handshake()) return;
        while (this.readyState !== CLOSED && this.parseFrame()) { /* each call consumes one frame */ }
    }

    /** Checks the 101 answer (§4.1); returns whether the connection is open. */
    handshake() {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end < 0) return false;
        const lines = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
        this.buffer = this.buffer.subarray(end + 4);
        const headers = new Map(lines.slice(1).map((line) => {
            const colon = line.indexOf(':');
            return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
        }));
        const accept = createHash('sha1').update(this.key + GUID).digest('base64');
        const protocol = headers.get('sec-websocket-protocol') ?? '';
        if (!/^HTTP\/1\.1 101 /.test(lines[0]) || headers.get('sec-websocket-accept') !== accept
            || (protocol !== '' && !this.offered.includes(protocol))) {
            this.fire('onerror', { type: 'error', message: lines[0] });
            this.socket.destroy();
            return false;
        }
        this.handshaken = true;
        this.protocol = protocol;
        this.readyState = OPEN;
        this.fire('onopen', { type: 'open' });
        return true;
    }

    /** Parses one whole frame from the buffer; returns false when more bytes are needed. */
    parseFrame() {
        const buffer = this.buffer;
        if (buffer.length < 2) return false;
        const fin = (buffer[0] & 0x80) !== 0;
        const opcode = buffer[0] & 0x0f;
        if ((buffer[1] & 0x80) !== 0) return this.fail(1002); // a server must not mask (§5.1)
        let length = buffer[1] & 0x7f;
        let offset = 2;
        if (length === 126) {
            if (buffer.length < 4) return false;
            length = buffer.readUInt16BE(2);
            offset = 4;
        } else if (length === 127) {
            if (buffer.length < 10) return false;
            length = Number(buffer.readBigUInt64BE(2));
            offset = 10;
        }
        if (buffer.length < offset + length) return false;
        const payload = buffer.subarray(offset, offset + length);
        this.buffer = buffer.subarray(offset + length);
        switch (opcode) {
            case 0x0:
            case 0x1:
            case 0x2:
                if (opcode !== 0x0) this.fragments = { opcode, parts: [] };
                if (this.fragments === null) return this.fail(1002);
                this.fragments.parts.push(Buffer.from(payload));
                if (fin) {
                    const whole = Buffer.concat(this.fragments.parts);
                    const text = this.fragments.opcode === 0x1;
                    this.fragments = null;
                    const data = text ? whole.toString('utf8') : whole.buffer.slice(whole.byteOffset, whole.byteOffset + whole.length);
                    if (this.readyState === OPEN) this.fire('onmessage', { type: 'message', data });
                }
                break;
            case 0x8: {
                this.closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
                if (this.readyState === OPEN) {
                    this.readyState = CLOSING;
                    this.frame(0x8, payload.subarray(0, 2));
                }
                this.socket.end();
                this.finish(this.closeCode);
                break;
            }
            case 0x9:
                this.frame(0xa, Buffer.from(payload));
                break;
            case 0xa:
                break;
            default:
                return this.fail(1002);
        }
        return true;
    }

    fail(code) {
        this.closeCode = code;
        this.socket.destroy();
        this.finish(code);
        return false;
    }
}
