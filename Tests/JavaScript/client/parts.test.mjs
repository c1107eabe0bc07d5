// The client's parts on their own: the tick schedule, the clock estimate, the input delay, the
// reconnect backoff, the state hash, the sync test, and interpolation with wrapDelta.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
    blendStates, ClockSynchronizer, InputDelayController, lerpAngle, normalizeAngle, PredictionSession, ReconnectPolicy,
    SnapshotInterpolator, StateHasher, SyncTester, TickSchedule, TURN, wrapDelta,
} from '../../../Sources/LockstepWeb/Public/lockstep/index.js';
import { SumSimulation } from '../support/sum-simulation.mjs';

const MS = 1_000_000n;

test('the schedule maps ticks to deadlines and back, with floor(n × 10⁹ / R) as PROTOCOL.md says', () => {
    const schedule = new TickSchedule({ baseTick: 100, epoch: 5_000_000_000n, tickRate: 30 });
    assert.equal(schedule.deadline(100), 5_000_000_000n);
    assert.equal(schedule.deadline(101), 5_033_333_333n);
    assert.equal(schedule.deadline(103), 5_100_000_000n);
    assert.equal(schedule.deadline(50), 5_000_000_000n, 'ticks before the base tick map to the epoch');
    assert.equal(schedule.tickAt(4_999_999_999n), null, 'nothing is due before the epoch');
    assert.equal(schedule.tickAt(5_000_000_000n), 100);
    assert.equal(schedule.tickAt(5_033_333_332n), 100);
    assert.equal(schedule.tickAt(5_033_333_333n), 101);
    for (let tick = 100; tick < 1100; tick += 7) {
        assert.equal(schedule.tickAt(schedule.deadline(tick)), tick);
        assert.equal(schedule.tickAt(schedule.deadline(tick) - 1n), tick - 1 < 100 ? null : tick - 1);
    }
    assert.ok(Math.abs(schedule.position(5_050_000_000n) - 101.5) < 1e-6);
    assert.ok(Math.abs(schedule.position(4_950_000_000n) - 98.5) < 1e-6);
    assert.throws(() => new TickSchedule({ baseTick: 0, epoch: 0n, tickRate: 0 }), RangeError);
});

test('the clock estimate takes the fastest quarter, rejects a passing queue, and follows a lasting change of path', () => {
    const clock = new ClockSynchronizer();
    const offset = 777_000_000n;
    const sample = (at, up, down) => clock.add(at, at + up + offset, at + up + down);
    for (let index = 0n; index < 8n; index++) assert.equal(sample(index * 500n * MS, 10n * MS, 10n * MS), true);
    sample(4000n * MS, 10n * MS, 30n * MS); // an asymmetric, slower trip: not among the fastest
    assert.equal(clock.offset, offset);
    assert.equal(sample(4500n * MS, 200n * MS, 200n * MS), false, 'a sample 20 times slower than the median is a queue, not the clock');
    assert.equal(clock.rejected, 1);
    assert.equal(clock.medianRoundTrip, 20n * MS);
    // The path changes for good: 160 ms each way. Runs of four slow samples in a row are kept, and
    // two runs make them the median (the window holds 16).
    const kept = [];
    for (let index = 0n; index < 8n; index++) kept.push(sample((5000n + index * 500n) * MS, 160n * MS, 160n * MS));
    // The 400 ms sample rejected above starts the first run: its fourth outlier is the third 320.
    assert.deepEqual(kept.slice(0, 3), [false, false, true], 'the fourth outlier in a row keeps its run');
    assert.equal(kept[0], false, 'one slow sample is still a queue');
    assert.equal(clock.medianRoundTrip, 320n * MS);
    assert.equal(clock.offset, offset);
    assert.equal(clock.serverTime(1n), 1n + offset);
    assert.equal(clock.clientTime(offset), 0n);
});

test('the input delay grows at once, shrinks after 120 good ticks only with a tick to spare, within its bounds', () => {
    const delay = new InputDelayController({ initial: 2, minimum: 1, maximum: 4 });
    assert.equal(delay.inputWasLate(), true);
    assert.equal(delay.inputWasLate(), true);
    assert.equal(delay.inputWasLate(), false, 'at the maximum');
    assert.equal(delay.delay, 4);
    const period = 33_333_333n;
    for (let tick = 0; tick < 119; tick++) assert.equal(delay.inputWasOnTime(40n * MS, period), false);
    assert.equal(delay.inputWasOnTime(40n * MS, period), true, 'a 40 ms round trip needs 2 + 1 ticks: 3 is enough');
    for (let tick = 0; tick < 120; tick++) delay.inputWasOnTime(40n * MS, period);
    assert.equal(delay.delay, 3, 'but not 2');
    assert.equal(new InputDelayController({ initial: 20, minimum: 1, maximum: 12 }).delay, 12);
});

test('the reconnect backoff doubles from 100 ms to 5 s with ±50 % jitter, repeatably, and stops after its attempts', () => {
    const delays = (seed) => {
        const policy = new ReconnectPolicy({ seed });
        return Array.from({ length: 13 }, (_, attempt) => policy.delay(attempt));
    };
    const first = delays(1n);
    assert.deepEqual(first, delays(1n), 'the same seed, the same delays');
    assert.notDeepEqual(first, delays(2n));
    assert.equal(first[12], null);
    first.slice(0, 12).forEach((delay, attempt) => {
        const nominal = BigInt(Math.min(100 * 2 ** attempt, 5000)) * MS;
        assert.ok(delay >= nominal / 2n && delay <= nominal + nominal / 2n, `attempt ${attempt}: ${delay}`);
    });
    assert.equal(new ReconnectPolicy({ jitterPermille: 0 }).delay(3), 800n * MS);
});

test('StateHasher is 64-bit FNV-1a with the Swift StateHasher\'s byte order', () => {
    assert.equal(StateHasher.hash([]), 0xcbf29ce484222325n);
    assert.equal(StateHasher.hash(new TextEncoder().encode('a')), 0xaf63dc4c8601ec8cn);
    assert.equal(StateHasher.hash(new TextEncoder().encode('foobar')), 0x85944171f73967e8n);
    const reference = (bytes) => {
        let hash = 0xcbf29ce484222325n;
        for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
        return hash;
    };
    assert.equal(new StateHasher().u32(-2).u16(0x1234).u64(-1n).bool(true).value, reference([0xfe, 0xff, 0xff, 0xff, 0x34, 0x12, ...Array(8).fill(0xff), 1]));
    assert.equal(new StateHasher().lengthPrefixed([9, 8]).value, reference([2, 0, 0, 0, 9, 8]));
});

test('the sync test passes a deterministic simulation and catches one that reads hidden state', () => {
    const frames = Array.from({ length: 40 }, (_, tick) => ({ tick, statuses: Uint8Array.of(0, 1), payloads: [Uint8Array.of(tick), Uint8Array.of()] }));
    const honest = new SyncTester(new SumSimulation({ players: 2, seed: 1n }), 3);
    assert.ok(frames.every((frame) => honest.step(frame) === null));

    class Leaky extends SumSimulation {
        step(frame) {
            super.step(frame);
            Leaky.calls = (Leaky.calls ?? 0) + 1; // state outside the snapshot
            this.sums[0] += Leaky.calls;
        }
    }
    const leaky = new SyncTester(new Leaky({ players: 2, seed: 1n }), 3);
    const mismatch = frames.map((frame) => leaky.step(frame)).find((found) => found !== null);
    assert.equal(mismatch.tick, 0);
    assert.notEqual(mismatch.first, mismatch.resimulated);
});

test('a prediction session stops at its prediction cap and counts the stall', () => {
    const make = () => new SumSimulation({ players: 2, seed: 3n });
    const session = new PredictionSession({ confirmed: make(), predicted: make(), slotCount: 2, localSlot: 0, maxPrediction: 4 });
    session.advance(10);
    assert.equal(session.head, 4);
    assert.equal(session.statistics.stalls, 1);
    assert.equal(session.statistics.predictedTicks, 4);
    assert.equal(session.confirm({ tick: 1, statuses: Uint8Array.of(0, 0), payloads: [Uint8Array.of(), Uint8Array.of()] }), false, 'a gap');
});

test('wrapDelta takes the shorter arc in radians, degrees and binary angles; interpolation blends and extrapolates', () => {
    assert.ok(Math.abs(wrapDelta(350, 10, 360) - 20) < 1e-9);
    assert.ok(Math.abs(wrapDelta(10, 350, 360) + 20) < 1e-9);
    assert.equal(wrapDelta(0, 180, 360), 180, 'half a turn is +half, never −half');
    assert.equal(wrapDelta(0, -180, 360), 180);
    assert.ok(Math.abs(wrapDelta(0.1, TURN - 0.1) + 0.2) < 1e-12);
    assert.ok(Math.abs(wrapDelta(5 * TURN + 0.1, -3 * TURN - 0.1) + 0.2) < 1e-9, 'any number of turns');
    assert.equal(wrapDelta(0xfff0, 0x0010, 65536), 0x20);
    assert.equal(normalizeAngle(lerpAngle(0xfff0, 0x0010, 0.5, 65536), 65536), 0);
    assert.ok(Math.abs(lerpAngle(TURN - 0.2, 0.2, 0.5) - TURN) < 1e-12);

    const blended = blendStates({ x: 0, angle: 350, name: 'a', list: [0, 10] }, { x: 10, angle: 10, name: 'b', list: [10, 20] }, 0.25, { angles: { angle: 360 } });
    assert.deepEqual(blended, { x: 2.5, angle: 355, name: 'a', list: [2.5, 12.5] });

    const view = new SnapshotInterpolator({ renderDelay: 1, maxExtrapolation: 1, angles: { angle: 360 } });
    assert.equal(view.sample(5), null);
    view.push(10, { x: 0, angle: 350 });
    view.push(11, { x: 10, angle: 10 });
    assert.deepEqual(view.sample(11.5), { x: 5, angle: 360 });
    assert.deepEqual(view.sample(12), { x: 10, angle: 370 }, 'angles are not normalised (normalizeAngle does it)');
    assert.deepEqual(view.sample(12.5), { x: 15, angle: 380 }, 'extrapolated half a tick');
    assert.deepEqual(view.sample(20), { x: 20, angle: 390 }, 'at most maxExtrapolation ticks');
    assert.deepEqual(view.sample(3), { x: 0, angle: 350 });
    view.push(11, { x: 6, angle: 0 });
    assert.equal(view.count, 2, 'a corrected state replaces the one at its tick');
    assert.deepEqual(view.sample(11.5), { x: 3, angle: 355 });
});
