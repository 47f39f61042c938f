/** Choosing the policy a command samples from: the embedded base, a checkpoint, or an OpenAI-compatible server. */
import { Option, type Command } from 'commander';
import { loadEmbeddedPolicy } from '../policy/embedded.js';
import { createOpenAIPolicy } from '../policy/openai.js';
import type { Policy } from '../policy/types.js';
import { resolveBase } from '../run/run.js';
import type { TrainConfig } from '../run/config.js';

export function withPolicyOptions(cmd: Command): Command {
  return cmd
    .option('--checkpoint <dir>', 'embedded checkpoint to sample from (default: the base policy)')
    .option('--server <url>', 'OpenAI-compatible server root including /v1 (vLLM, SGLang, llama.cpp, Ollama)')
    .option('--model <name>', 'model name as the server serves it (with --server)')
    .addOption(
      new Option('--mode <mode>', 'server endpoint').choices(['chat', 'completions']).default('chat'),
    )
    .option('--system-prompt <text>', 'system prompt (chat mode, --server only)')
    .option('--timeout <ms>', 'per-request time limit for --server', (v) => Number(v), 120_000)
    .option('--concurrency <n>', 'parallel requests for --server', (v) => Number(v), 8);
}

export interface PolicyFlags {
  checkpoint?: string;
  server?: string;
  model?: string;
  mode: 'chat' | 'completions';
  systemPrompt?: string;
  timeout: number;
  concurrency: number;
}

export async function openPolicy(
  flags: PolicyFlags,
  config: TrainConfig,
  onPhase?: (m: string) => void,
): Promise<Policy> {
  if (flags.server) {
    if (!flags.model)
      throw new Error('--server needs --model (the name the server serves; see GET /v1/models)');
    return createOpenAIPolicy({
      baseURL: flags.server,
      model: flags.model,
      mode: flags.mode,
      systemPrompt: flags.systemPrompt,
      timeoutMs: flags.timeout,
      concurrency: flags.concurrency,
    });
  }
  const dir = flags.checkpoint ?? (await resolveBase(config, { onPhase }));
  return loadEmbeddedPolicy(dir, { threads: config.threads, optimizer: false });
}
