import type { Mapping } from '../../mapping/mapping.types.js';
import type { OneCEntity } from '../onec.types.js';
import type { FeedSetIndex } from '../converters/feed.converter.js';

/** The synced entity sets of the mapping, as the feed names them in `set` (e.g. `Catalog_Контрагенты`). */
export function feedSetIndex(mapping: Mapping): FeedSetIndex {
  const entities: OneCEntity[] = ['counterparties', 'contacts', 'deals'];
  return new Map(entities.map((e) => [mapping[e].onecSet, e]));
}
