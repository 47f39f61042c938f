/**
 * The sGPO plan as verl training data: one Parquet file per curriculum phase, each with one G (verl's
 * global `actor_rollout_ref.rollout.n`), phases numbered from 1 as `flopwise plan` prints them. Kept
 * unsolved prompts join every phase at that phase's G. A manifest lists the phases and their files.
 */
import { join } from 'node:path';
import type { PlannedPrompt, SgpoPlan } from '../algo/index.js';
import { writeJsonAtomic } from '../data/atomic.js';
import { writeVerlParquet, type VerlRow } from '../data/verl.js';
import type { Problem } from '../tasks/types.js';

export interface VerlPhaseFile {
  /** 1-based. */
  phase: number;
  G: number;
  file: string;
  prompts: number;
  learnable: number;
  unsolved: number;
}

/** File name of a phase: its number and its G, e.g. phase-2-G4.parquet. */
export function phaseFileName(phase: number, G: number): string {
  return `phase-${phase}-G${G}.parquet`;
}

function chatPrompt(problem: Problem): VerlRow['prompt'] {
  const chat = problem.meta.chat;
  if (Array.isArray(chat) && chat.length > 0) return chat as VerlRow['prompt'];
  return [{ role: 'user', content: problem.prompt }];
}

/** The verl rows of each phase, in the plan's order (phase i → rows of phase i + 1). */
export function verlPhaseRows(plan: SgpoPlan, problems: readonly Problem[], ability: string): VerlRow[][] {
  const byId = new Map(problems.map((p) => [p.id, p]));
  const planned = new Map<string, PlannedPrompt>(plan.prompts.map((p) => [p.id, p]));
  return plan.phases.map((ph) =>
    ph.promptIds.map((id, index) => {
      const problem = byId.get(id);
      if (!problem) {
        throw new Error(
          `the profile's prompt "${id}" is not in the dataset: export with the same --data (or config) as the profile`,
        );
      }
      const p = planned.get(id)!;
      return {
        data_source: problem.meta.family,
        prompt: chatPrompt(problem),
        ability,
        reward_model: { style: 'rule', ground_truth: problem.answer },
        extra_info: {
          index,
          id,
          split: 'train',
          p_hat: p.pHat,
          k: p.k,
          successes: p.successes,
          G: ph.G,
          phase: ph.index + 1,
          class: p.cls,
        },
      };
    }),
  );
}

/** Writes one Parquet file per phase and verl-plan.json into `dir`; returns the phases written. */
export function exportVerl(
  dir: string,
  plan: SgpoPlan,
  problems: readonly Problem[],
  opts: { ability: string; profile: string },
): VerlPhaseFile[] {
  if (plan.phases.length === 0) {
    throw new Error(
      `${opts.profile}: the plan has no phases (every prompt is trivial or dropped): nothing to train on`,
    );
  }
  const rows = verlPhaseRows(plan, problems, opts.ability);
  const files = plan.phases.map((ph, i) => {
    const file = phaseFileName(ph.index + 1, ph.G);
    writeVerlParquet(join(dir, file), rows[i]);
    return {
      phase: ph.index + 1,
      G: ph.G,
      file,
      prompts: rows[i].length,
      learnable: ph.learnable,
      unsolved: ph.unsolved,
    };
  });
  writeJsonAtomic(join(dir, 'verl-plan.json'), {
    profile: opts.profile,
    options: plan.options,
    counts: plan.counts,
    phases: files,
  });
  return files;
}

/** The verl command for each phase: n = G, that phase's file, starting from the previous phase's model. */
export function verlCommands(dir: string, files: readonly VerlPhaseFile[], baseModel: string): string[] {
  return files.map((f, i) => {
    const model = i === 0 ? baseModel : `${dir}/phase-${files[i - 1].phase}-hf`;
    const lines = [
      `# phase ${f.phase}: G=${f.G}, ${f.prompts} prompts`,
      'python3 -m verl.trainer.main_ppo algorithm.adv_estimator=grpo \\',
      `    data.train_files=${dir}/${f.file} data.val_files=<your val.parquet> \\`,
      `    actor_rollout_ref.model.path=${model} actor_rollout_ref.rollout.n=${f.G} \\`,
      `    trainer.experiment_name=phase-${f.phase} <your other settings>`,
      `python3 -m verl.model_merger merge --backend fsdp \\`,
      `    --local_dir checkpoints/<project>/phase-${f.phase}/global_step_<last>/actor --target_dir ${dir}/phase-${f.phase}-hf`,
    ];
    return lines.join('\n');
  });
}
