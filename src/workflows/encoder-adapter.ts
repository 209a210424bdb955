/**
 * An adapter applied to the USE-Lite encoder alone (`edora embed`, `edora
 * merge --model use-lite`), whether it was made on the encoder itself or by
 * `edora train`, which adapts UseLiteClassifier: the encoder under
 * `use_lite.` and a classifier head beside it. The head has no use without
 * the classifier; it is skipped and named, so the command can say so once.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensorsHeader } from '../io/safetensors.js';
import { USE_LITE_PREFIX } from '../models/use-lite/classifier.js';
import type { UseLiteModel } from '../models/use-lite/model.js';
import { ModuleDict } from '../nn/containers.js';
import { KEY_PREFIX, WEIGHTS_FILE } from '../peft/format.js';
import type { PeftModel } from '../peft/model.js';
import { loadPeftAdapter } from '../peft/save.js';

export interface EncoderAdapter {
  peft: PeftModel;
  /** modules_to_save entries (the classifier head) that were skipped. */
  ignored: string[];
}

export function loadEncoderAdapter(model: UseLiteModel, adapterDir: string): EncoderAdapter {
  const weights = join(adapterDir, WEIGHTS_FILE);
  const prefix = `${KEY_PREFIX}${USE_LITE_PREFIX}.`;
  // Made on the classifier: present the encoder at the path it had there.
  const fromClassifier =
    existsSync(weights) &&
    readSafetensorsHeader(weights).entries.some((e) => e.name.startsWith(prefix));
  let target: UseLiteModel | ModuleDict = model;
  if (fromClassifier) {
    target = new ModuleDict();
    target.set(USE_LITE_PREFIX, model);
  }
  let ignored: string[] = [];
  const peft = loadPeftAdapter(target, adapterDir, {
    onUnusedModulesToSave: (names) => {
      ignored = names;
    },
  }) as PeftModel;
  return { peft, ignored };
}

/** The one line a command prints about skipped modules_to_save entries. */
export function ignoredNotice(command: string, ignored: readonly string[]): string {
  const names = ignored.map((n) => `'${n}'`).join(', ');
  return `edora ${command}: the adapter's modules_to_save ${names} (a task head) has no use here: ignored`;
}
