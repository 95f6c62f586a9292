import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { chainPendingAudit } from '../../../core/audit-log/audit-chainer.ts';
import { type AuditAnchor, auditAnchorPath, readAnchor } from '../../../plugins/audit/audit-anchor.ts';
import { localAuditPublicKey } from '../../../plugins/audit/audit-signer.ts';
import {
  type AuditVerification,
  exportAuditJsonl,
  verifyAudit,
} from '../../../plugins/audit/verify-audit.ts';
import { type VerifyFlags, verifyAuditThroughServer } from '../audit-through-server.ts';
import { serverHoldingStore } from '../beside-server.ts';
import { configFrom, type GlobalOptions, withStore } from '../cli-context.ts';
import { emit, table, UsageError } from '../output.ts';
import { resolveWorkspace } from './admin-scope.ts';

const afterSchema = z.coerce.number().int().min(0);

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function describeVerification(report: AuditVerification): string {
  const anchored =
    report.anchor === undefined
      ? ''
      : `, anchor ${report.anchor.file} (${report.anchor.checkpoints} checkpoints, last seq ${report.anchor.lastSeq})`;
  const summary = `${report.entries} entries (last seq ${report.lastSeq}), ${report.checkpoints} signed checkpoints${anchored}`;
  if (report.ok) return `audit log intact: ${summary}`;
  return [
    `audit log TAMPERED: ${report.problems.length} problem(s) in ${summary}`,
    table(report.problems as unknown as Record<string, unknown>[], ['kind', 'seq', 'message']),
  ].join('\n');
}

/** `--anchor FILE` must exist; without the flag the configured anchor is used when there is one. */
async function anchorFor(
  flag: string | false | undefined,
  configured: string,
): Promise<AuditAnchor | undefined> {
  if (flag === false) return undefined;
  if (flag === undefined) return existsSync(configured) ? readAnchor(configured) : undefined;
  if (!existsSync(flag)) throw new UsageError(`--anchor ${flag}: no such file`);
  return readAnchor(flag);
}

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('Verify and export the tamper-evident audit log');

  audit
    .command('verify')
    .description('Check the hash chain and signed checkpoints; exits 1 when the log was tampered with')
    .option(
      '--public-key <file>',
      'trust only this PEM public key (repeatable; default: this host’s key)',
      collect,
      [],
    )
    .option(
      '--anchor <file>',
      'also check the chain against this anchor file (default: the configured one, when it exists)',
    )
    .option('--no-anchor', 'do not check against any anchor file')
    .option(
      '--api-key <key>',
      'admin API key, used beside a running serve (default: $AGENTOS_API_KEY or <home>/admin-api-key)',
    )
    .option('--json', 'print JSON')
    .action(async (options: GlobalOptions & VerifyFlags) => {
      const config = configFrom({ ...program.opts<GlobalOptions>(), ...options });
      const server = serverHoldingStore(config);
      if (server !== undefined) {
        const report = await verifyAuditThroughServer(server, options, config);
        emit(options, report, () => describeVerification(report));
        if (!report.ok) process.exitCode = 1;
        return;
      }
      const anchor = await anchorFor(options.anchor, auditAnchorPath(config));
      const local = localAuditPublicKey(config.home);
      const publicKeys =
        options.publicKey.length > 0
          ? options.publicKey.map((file) => readFileSync(file, 'utf8'))
          : local === undefined
            ? undefined
            : [local];
      const progress = !options.json && process.stderr.isTTY;
      const report = await withStore(config, async (store) => {
        await chainPendingAudit(store);
        return verifyAudit(store, {
          publicKeys,
          anchor,
          onProgress: (checked) => {
            if (progress) process.stderr.write(`\rchecked ${checked} entries…`);
          },
        });
      });
      if (progress) process.stderr.write('\r\x1b[K');
      emit(options, report, () => describeVerification(report));
      if (!report.ok) process.exitCode = 1;
    });

  audit
    .command('export')
    .description('Write audit entries as JSON lines, oldest first')
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--after <seq>', 'only entries after this seq')
    .option('--action <action>', 'only this action, e.g. "run.finish"')
    .option('--workspace <idOrName>', 'only this workspace (default: all)')
    .option('--json', 'print the summary as JSON (the entries are JSON lines either way)')
    .action(
      async (
        options: GlobalOptions & { out?: string; after?: string; action?: string; workspace?: string },
      ) => {
        const after = options.after === undefined ? undefined : afterSchema.safeParse(options.after);
        if (after !== undefined && !after.success)
          throw new UsageError('--after must be a seq (an integer ≥ 0)');
        const config = configFrom({ ...program.opts<GlobalOptions>(), ...options });
        const out =
          options.out === undefined ? process.stdout : createWriteStream(options.out, { mode: 0o600 });
        const exported = await withStore(config, async (store) => {
          const workspaceId =
            options.workspace === undefined
              ? undefined
              : (await resolveWorkspace(store, options.workspace)).id;
          await chainPendingAudit(store);
          return exportAuditJsonl(store, out, { after: after?.data, action: options.action, workspaceId });
        });
        if (options.out === undefined) return;
        out.end();
        await finished(out);
        emit(options, { exported, out: options.out }, () => `exported ${exported} entries to ${options.out}`);
      },
    );
}
