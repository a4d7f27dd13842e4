/**
 * `cahier serve` killed (SIGKILL) in the middle of sync batches, then of single PUTs; restarted;
 * the client resends what was not acknowledged. Nothing acknowledged is lost, nothing is stored
 * twice or half-way, and the audit trail has one creation per line and nothing else. On SQLite,
 * and on MariaDB when CAHIER_TEST_MYSQL_URL is set. (Bigger sizes: test/bench/crash.ts.)
 */
import { crashRun } from '../bench/crash';
import { DIALECTS, killAll } from './process';

afterAll(killAll);

describe.each(DIALECTS)('a crash of the service under writes (%s)', (dialect) => {
  test('kill -9 during 400-line batches and PUTs, restart, resend: every acknowledged line once, batches all or nothing, audit matching', async () => {
    const f = await crashRun({ dialect, batchLines: 400, batches: 4, puts: 200 });
    // The kills landed with writes in flight: some acknowledged, some not.
    expect(f.batches.acknowledged).toBeGreaterThanOrEqual(1);
    expect(f.batches.acknowledged).toBeLessThan(f.batches.sent);
    expect(f.puts.acknowledged).toBeGreaterThanOrEqual(100);
    expect(f.puts.acknowledged).toBeLessThan(200);
    expect(f.batches.halfWritten).toBe(0);
    expect(f.lost).toBe(0);
    expect(f.duplicates).toBe(0);
    expect(f.auditMismatches).toBe(0);
    expect(f.stored).toBe(f.expected);
    expect(f.expected).toBe(4 * 400 + 200);
  });
});
