// The gold answers of assignment `x` (a row of assignments in the enclosing query) as a jsonb
// array of {answer, gold}: the worker's answer to each gold item shown, found by answers' unique
// (item, worker) key (a worker answers an item once, in the one assignment that showed it; answers
// have no index by assignment), with the item's gold label as it is now (null once retired, which
// scoring skips). Read with the assignments it scores, by the verdict and by the gold re-score.
export const GOLD_ANSWERS_OF_X = `coalesce((
  SELECT jsonb_agg(jsonb_build_object('answer', a.value, 'gold', CASE WHEN i.is_gold AND NOT i.gold_retired THEN i.gold_label END))
    FROM unnest(x.gold_item_ids) AS g(item_id)
    JOIN items i ON i.id = g.item_id
    LEFT JOIN answers a ON a.item_id = g.item_id AND a.worker_id = x.worker_id), '[]'::jsonb)`;
