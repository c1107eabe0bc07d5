// The state hash a JavaScript simulation reports (the Swift StateHasher): 64-bit FNV-1a over a
// documented byte order. Integers are fed little-endian at their declared width, a Boolean is one
// byte, byte arrays are a u32 length then the bytes. The same values give the same hash as the
// Swift StateHasher, so a JavaScript port of a Swift game can be checked against its hashes.
//
// The 64-bit state is kept as four 16-bit limbs in plain numbers (no BigInt per byte): the FNV
// prime is 2⁴⁰ + 0x1b3, so a multiply is four small products plus the value shifted by 40 bits.

/** A 64-bit FNV-1a hasher. */
export class StateHasher {
    constructor() {
        // The offset basis 0xcbf29ce484222325, low limb first.
        this.h0 = 0x2325;
        this.h1 = 0x8422;
        this.h2 = 0x9ce4;
        this.h3 = 0xcbf2;
    }

    /** Feeds one byte (0...255). */
    byte(value) {
        const h0 = this.h0 ^ (value & 0xff);
        const { h1, h2, h3 } = this;
        let t0 = h0 * 0x1b3;
        let t1 = h1 * 0x1b3;
        let t2 = h2 * 0x1b3;
        let t3 = h3 * 0x1b3;
        // + (h << 40): limb 2 gains h0 << 8, limb 3 gains h1 << 8 plus h0's top byte.
        t2 += (h0 << 8) & 0xffff;
        t3 += ((h1 << 8) | (h0 >>> 8)) & 0xffff;
        t1 += Math.floor(t0 / 0x10000);
        t2 += Math.floor(t1 / 0x10000);
        t3 += Math.floor(t2 / 0x10000);
        this.h0 = t0 & 0xffff;
        this.h1 = t1 & 0xffff;
        this.h2 = t2 & 0xffff;
        this.h3 = t3 & 0xffff;
        return this;
    }

    /** Feeds bytes in order. */
    bytes(values) {
        for (let index = 0; index < values.length; index++) this.byte(values[index]);
        return this;
    }

    /** Feeds a u32 length, then the bytes. */
    lengthPrefixed(values) {
        return this.u32(values.length).bytes(values);
    }

    /** Feeds a Boolean as one byte. */
    bool(flag) {
        return this.byte(flag ? 1 : 0);
    }

    /** Feeds an 8-bit integer (signed or not: its low byte). */
    u8(value) {
        return this.byte(value);
    }

    /** Feeds a 16-bit integer, little-endian (signed values as their two's complement). */
    u16(value) {
        return this.byte(value).byte(value >>> 8);
    }

    /** Feeds a 32-bit integer, little-endian (signed values as their two's complement). */
    u32(value) {
        return this.byte(value).byte(value >>> 8).byte(value >>> 16).byte(value >>> 24);
    }

    /** Feeds a 64-bit integer (a BigInt, signed or not), little-endian. */
    u64(value) {
        const bits = BigInt.asUintN(64, BigInt(value));
        return this.u32(Number(bits & 0xffffffffn)).u32(Number(bits >> 32n));
    }

    /** The hash so far, an unsigned 64-bit BigInt. */
    get value() {
        return (BigInt(this.h3) << 48n) | (BigInt(this.h2) << 32n) | (BigInt(this.h1) << 16n) | BigInt(this.h0);
    }

    /** The FNV-1a hash of `bytes`. */
    static hash(bytes) {
        return new StateHasher().bytes(bytes).value;
    }
}
