/**
 * transformers' LlamaTokenizerFast rewrites tokenizer.json's post-processor from
 * tokenizer_config.json's add_bos_token / add_eos_token (update_post_processor); so do we.
 */
import type { TokenizerSettings } from './config.js';

export function llamaTemplate(
  file: string,
  json: Record<string, unknown>,
  s: TokenizerSettings,
): Record<string, unknown> | undefined {
  if (s.addBosToken === undefined && s.addEosToken === undefined) return undefined;
  const addBos = s.addBosToken ?? true;
  const addEos = s.addEosToken ?? false;
  const added = (json['added_tokens'] as { content?: unknown; id?: unknown }[]).filter(
    (t) => t !== null && typeof t === 'object',
  );
  const vocab = (json['model'] as { vocab?: unknown }).vocab;
  const idOf = (role: string, token: string): number => {
    const a = added.find((t) => t.content === token);
    if (a && typeof a.id === 'number') return a.id;
    if (vocab !== null && typeof vocab === 'object' && !Array.isArray(vocab)) {
      const id = (vocab as Record<string, unknown>)[token];
      if (typeof id === 'number') return id;
    }
    throw new Error(`${file}: the ${role} token '${token}' is not in the vocabulary`);
  };
  const bos = s.special.bos ?? '<s>';
  const eos = s.special.eos ?? '</s>';
  const item = (token: string, type: number) => ({ SpecialToken: { id: token, type_id: type } });
  const seq = (id: 'A' | 'B', type: number) => ({ Sequence: { id, type_id: type } });
  const special: Record<string, unknown> = {};
  if (addBos) special[bos] = { id: bos, ids: [idOf('beginning', bos)], tokens: [bos] };
  if (addEos) special[eos] = { id: eos, ids: [idOf('end', eos)], tokens: [eos] };
  const part = (id: 'A' | 'B', type: number) => [
    ...(addBos ? [item(bos, type)] : []),
    seq(id, type),
    ...(addEos ? [item(eos, type)] : []),
  ];
  return {
    type: 'TemplateProcessing',
    single: part('A', 0),
    pair: [...part('A', 0), ...part('B', 1)],
    special_tokens: special,
  };
}
