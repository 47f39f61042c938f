/**
 * Progress on the terminal. A cli-progress bar on a terminal; in a pipe (CI, `| tee`) the library's
 * own non-TTY mode prints one plain line every few steps instead of redrawing. Every figure carries
 * its name, the held-out accuracy shown is the last one measured (with its step), the ETA is
 * smoothed, colour follows NO_COLOR, and Ctrl-C restores the terminal and says how to resume.
 */
import cliProgress from 'cli-progress';
import type { EvalResult } from '../run/evaluator.js';
import type { RunCallbacks } from '../run/run.js';

export function formatFlops(f: number): string {
  if (f >= 1e15) return `${(f / 1e15).toFixed(2)} PFLOP`;
  if (f >= 1e12) return `${(f / 1e12).toFixed(2)} TFLOP`;
  if (f >= 1e9) return `${(f / 1e9).toFixed(1)} GFLOP`;
  return `${(f / 1e6).toFixed(1)} MFLOP`;
}

export function pct(x: number | null | undefined): string {
  return x === null || x === undefined || Number.isNaN(x) ? '–' : `${(100 * x).toFixed(1)}%`;
}

/** https://no-color.org: any non-empty NO_COLOR turns colour off; pipes never get colour. */
export function useColour(stream: { isTTY?: boolean } = process.stderr, env = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}

const paint = (on: boolean, code: number, s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * ETA from an exponential moving average of the run's average rate so far (fraction done per second
 * since the first update). A per-step rate swings several-fold whenever a step carries an evaluation
 * or a checkpoint; the average since the start already includes them at their real frequency, and the
 * moving average damps what is left.
 */
export class SmoothedEta {
  private rate: number | null = null;
  private first: { t: number; done: number } | null = null;
  private lastDone = -Infinity;
  constructor(private readonly alpha = 0.15) {}

  /** `done` in [0, 1]; `t` in seconds. Returns the estimated seconds left (null until two samples). */
  update(done: number, t: number): number | null {
    if (!this.first) this.first = { t, done };
    else if (t > this.first.t && done > this.lastDone) {
      const r = (done - this.first.done) / (t - this.first.t);
      this.rate = this.rate === null ? r : this.alpha * r + (1 - this.alpha) * this.rate;
    }
    this.lastDone = Math.max(this.lastDone, done);
    return this.rate === null || this.rate <= 0 ? null : (1 - done) / this.rate;
  }
}

export interface Bar {
  update(value: number, payload: Record<string, unknown>): void;
  stop(): void;
}

/** In a pipe, a line whenever the value has moved `everySteps` since the last one (and at the end), and one a minute while it is slow. */
export function progressBar(
  label: string,
  total: number,
  format: string,
  opts: { stream?: NodeJS.WriteStream; everySteps?: number; counter?: string } = {},
): Bar {
  const stream = opts.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  const colour = useColour(stream);
  const every = opts.everySteps ?? Math.max(1, Math.round(total / 20));
  const counter = opts.counter ?? '{value}/{total}';
  const bar = new cliProgress.SingleBar(
    {
      format: `${paint(colour, 36, label)} ${tty ? '[{bar}] ' : ''}${counter} ${format}`,
      hideCursor: tty,
      barsize: 20, // leaves room for the labelled figures on an 80-column terminal
      stream,
      noTTYOutput: true,
      notTTYSchedule: 60_000,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  // Placeholders read '–' until the first update fills them.
  const blank = Object.fromEntries(
    [...`${counter} ${format}`.matchAll(/\{(\w+)\}/g)]
      .filter((m) => !['value', 'total', 'percentage', 'bar'].includes(m[1]))
      .map((m) => [m[1], '–']),
  );
  bar.start(total, 0, blank);
  let printed = 0;
  return {
    update(value, payload) {
      bar.update(value, payload);
      if (!tty && (value >= printed + every || value === total)) {
        printed = value;
        bar.render();
      }
    },
    stop() {
      bar.stop();
    },
  };
}

/** One line of before → after for greedy, sampled and pass@k accuracy (the caller names the split). */
export function evalChangeLine(
  before: EvalResult | null | undefined,
  after: EvalResult | null | undefined,
): string {
  if (!before || !after) return 'not recorded';
  const figures: Array<[string, number | null, number | null]> = [
    ['greedy', before.greedyAccuracy, after.greedyAccuracy],
    ['sampled', before.sampledAccuracy, after.sampledAccuracy],
    [`pass@${after.k}`, before.passAtK, after.passAtK],
  ];
  const line = figures.map(([name, a, b]) => `${name} ${pct(a)} → ${pct(b)}`).join(', ');
  // A drop is said out loud: a run can raise its headline while another figure falls.
  const fell = figures
    .filter(([, a, b]) => a !== null && b !== null && b < a)
    .map(([name, a, b]) => `${name} ${(100 * (b! - a!)).toFixed(1)} points`);
  return fell.length ? `${line}; fell: ${fell.join(', ')}` : line;
}

/** What Ctrl-C does while a run shows progress (set by terminalCallbacks, cleared by its stop). */
let onInterrupt: (() => void) | undefined;

// One listener from the moment the CLI loads. Ctrl-C is served between training steps (the trainer
// yields to the event loop once per step). Without a run in progress it ends the process as usual,
// unless a command listens itself (the servers stop gracefully).
process.on('SIGINT', () => {
  if (onInterrupt) onInterrupt();
  else if (process.listenerCount('SIGINT') === 1) process.exit(130);
});

export interface TerminalOptions {
  /** The training bar fills by FLOPs when the run has a budget (it usually ends there, not at its step limit). */
  flopBudget?: number;
  /** Printed after Ctrl-C: how to continue (e.g. `flopwise train --resume -o runs/x`). */
  resumeHint?: string;
  /** Where bars go (standard error unless testing). */
  stream?: NodeJS.WriteStream;
  /** In a pipe, one line every this many steps (default: a twentieth of the run). */
  everySteps?: number;
}

/**
 * Progress for a run on the terminal: one bar at a time (warm start, profile, training), replaced
 * when the phase changes. `totalSteps` sizes the training bar.
 */
export function terminalCallbacks(
  totalSteps: number,
  opts: TerminalOptions = {},
): RunCallbacks & { stop(): void; nextRun(steps: number, flopBudget: number): void } {
  let bar: Bar | undefined;
  let steps = totalSteps;
  let budgetOf = opts.flopBudget ?? 0;
  const stopBar = () => {
    bar?.stop();
    bar = undefined;
  };
  const onSigint = () => {
    stopBar(); // shows the cursor again and ends the bar's line
    process.stderr.write(`\ninterrupted.${opts.resumeHint ? ` ${opts.resumeHint}` : ''}\n`);
    process.exit(130);
  };
  onInterrupt = onSigint;
  let eta = new SmoothedEta();
  let started = performance.now();
  let lastEval = 'not yet';
  return {
    /** A benchmark starts its next run: size the training bar for it and start its ETA afresh. */
    nextRun: (runSteps, flopBudget) => {
      stopBar();
      steps = runSteps;
      budgetOf = flopBudget;
      eta = new SmoothedEta();
      started = performance.now();
      lastEval = 'not yet';
    },
    stop: () => {
      stopBar();
      if (onInterrupt === onSigint) onInterrupt = undefined;
    },
    onPhase: (m) => {
      stopBar();
      process.stderr.write(`${m}\n`);
    },
    onPretrain: (p) => {
      bar ??= progressBar('pretrain', p.steps, 'loss {loss}');
      bar.update(p.step, { loss: p.loss.toFixed(3) });
    },
    onProfile: (p) => {
      bar ??= progressBar('profile', p.total, 'prompts');
      bar.update(p.done, {});
    },
    onEval: (step, e) => {
      lastEval = `${pct(e.sampledAccuracy ?? e.greedyAccuracy)} (step ${step})`;
    },
    onStep: (row) => {
      // With a FLOP budget the run usually ends there, not at its step limit: the bar fills by
      // whichever is nearer its end, in tenths of a percent.
      const budget = budgetOf;
      bar ??= progressBar(
        'train',
        budget > 0 ? 1000 : steps,
        'held-out acc {acc} | reward {reward} | {flops} | ETA {timeLeft}',
        budget > 0
          ? { stream: opts.stream, everySteps: opts.everySteps ?? 50, counter: '{percentage}% (step {step})' }
          : { stream: opts.stream, everySteps: opts.everySteps },
      );
      const done = Math.min(
        1,
        Math.max(row.step / Math.max(1, steps), budget > 0 ? row.chargedFlops / budget : 0),
      );
      bar.update(budget > 0 ? Math.floor(1000 * done) : row.step, {
        step: row.step,
        acc: lastEval,
        reward: typeof row.reward === 'number' ? row.reward.toFixed(2) : '–',
        flops: `${formatFlops(row.chargedFlops)}${budget > 0 ? ` of ${formatFlops(budget)}` : ''}`,
        timeLeft: formatDuration(eta.update(done, (performance.now() - started) / 1000)),
      });
    },
  };
}
