/** Choosing the policy a command samples from: the embedded base, a checkpoint, or an OpenAI-compatible server. */
import { Option, type Command } from 'commander';
import { loadEmbeddedPolicy } from '../policy/embedded.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createFleetPolicy } from '../policy/fleet.js';
import type { Policy } from '../policy/types.js';
import { resolveBase } from './policies.js';
import type { TrainConfig } from '../run/config.js';
import { loadDataset, loadDatasets } from '../run/setup.js';
import type { Problem } from '../tasks/types.js';
import { collect } from './common.js';
import { floatOption, intOption } from './options.js';

export function withPolicyOptions(cmd: Command): Command {
  return cmd
    .option('--checkpoint <dir>', 'embedded checkpoint to sample from (default: the base policy)')
    .option(
      '--server <url>',
      'OpenAI-compatible server root including /v1 (vLLM, SGLang, llama.cpp, Ollama); repeat for a fleet',
      collect,
      [],
    )
    .option('--servers <file>', 'a file of server URLs, one per line (# comments), added to --server')
    .option('--model <name>', 'model name as the server serves it (with --server)')
    .addOption(
      new Option('--mode <mode>', 'server endpoint').choices(['chat', 'completions']).default('chat'),
    )
    .option('--system-prompt <text>', 'system prompt (chat mode, --server only)')
    .option(
      '--timeout <ms>',
      'per-request time limit for --server',
      intOption('--timeout', { min: 1 }),
      120_000,
    )
    .option('--concurrency <n>', 'requests in flight per server', intOption('--concurrency', { min: 1 }), 8)
    .option(
      '--max-attempts <n>',
      'failed attempts (on any servers) before a prompt is given up and marked failed',
      intOption('--max-attempts', { min: 1 }),
      3,
    )
    .option(
      '--params <n>',
      "the served model's parameter count (e.g. 1.5e9): remote FLOPs are estimated as 2·params·tokens; without it they are not counted",
      floatOption('--params', { min: 1 }),
    );
}

export interface PolicyFlags {
  checkpoint?: string;
  server: string[];
  servers?: string;
  model?: string;
  mode: 'chat' | 'completions';
  systemPrompt?: string;
  timeout: number;
  concurrency: number;
  maxAttempts: number;
  params?: number;
}

/** The server URLs of --server and --servers: blank lines and # comments skipped. */
export function serverUrls(flags: Pick<PolicyFlags, 'server' | 'servers'>): string[] {
  const urls = [...(flags.server ?? [])];
  if (flags.servers) {
    let text: string;
    try {
      text = readFileSync(flags.servers, 'utf8');
    } catch (err) {
      throw new Error(`--servers: cannot read ${flags.servers}: ${(err as Error).message}`);
    }
    text.split('\n').forEach((line, i) => {
      const url = line.replace(/#.*/, '').trim();
      if (!url) return;
      if (!/^https?:\/\//.test(url))
        throw new Error(`${flags.servers}: line ${i + 1}: not an http(s) URL: '${url}'`);
      urls.push(url);
    });
    if (urls.length === 0) throw new Error(`${flags.servers}: no server URLs in the file`);
  }
  return urls;
}

/** What a profile remembers as "the model": the served name, or the checkpoint directory. */
export async function policyIdentity(flags: PolicyFlags, config: TrainConfig): Promise<string> {
  if (serverUrls(flags).length > 0) return `server:${flags.model}`;
  return resolve(flags.checkpoint ?? (await resolveBase(config)));
}

export async function openPolicy(
  flags: PolicyFlags,
  config: TrainConfig,
  onPhase?: (m: string) => void,
): Promise<Policy> {
  const urls = serverUrls(flags);
  if (urls.length > 0) {
    if (!flags.model)
      throw new Error('--server needs --model (the name the server serves; see GET /v1/models)');
    return createFleetPolicy(
      urls,
      { model: flags.model, mode: flags.mode, systemPrompt: flags.systemPrompt, timeoutMs: flags.timeout },
      { perServer: flags.concurrency, maxAttempts: flags.maxAttempts, params: flags.params },
    );
  }
  const dir = flags.checkpoint ?? (await resolveBase(config, { onPhase }));
  return loadEmbeddedPolicy(dir, { threads: config.threads, optimizer: false });
}

/** Options of commands that read a dataset file instead of the procedural mixture. */
export function withDatasetOptions(cmd: Command): Command {
  return cmd
    .option('--data <file>', 'dataset file (JSONL or Parquet) instead of the procedural mixture')
    .option('--columns <map>', 'column mapping for --data, e.g. prompt=question,answer=solution')
    .option('--skip-bad-rows', 'skip (and count) bad rows of --data instead of stopping at the first')
    .option('--max-new-tokens <n>', 'completion length limit', intOption('--max-new-tokens', { min: 1 }));
}

export interface DatasetFlags {
  data?: string;
  columns?: string;
  skipBadRows?: boolean;
  maxNewTokens?: number;
}

/** The dataset options as config overrides (`key.path=value`). */
export function datasetSets(opts: DatasetFlags): string[] {
  const sets: string[] = [];
  if (opts.data)
    sets.push(`data.train=${JSON.stringify(opts.data)}`, `data.eval=${JSON.stringify(opts.data)}`);
  if (opts.maxNewTokens) sets.push(`sampling.maxNewTokens=${opts.maxNewTokens}`);
  for (const pair of opts.columns ? opts.columns.split(',') : []) sets.push(`data.columns.${pair.trim()}`);
  if (opts.skipBadRows) sets.push('data.onBadRow=skip');
  return sets;
}

/** The prompts a command works on: the --data file, or one split of the procedural mixture. */
export async function commandProblems(
  opts: DatasetFlags,
  config: TrainConfig,
  split: 'train' | 'eval',
): Promise<Problem[]> {
  return opts.data ? loadDataset(opts.data, config.data) : (await loadDatasets(config.data))[split];
}
