import { generateDataset } from '../dataset/generate-dataset.js';
import { AmoCrmState } from './amocrm-state.js';
import { amoSeedFromDataset } from './amocrm-seed.converter.js';
import { WON_STATUS } from './amocrm-model.js';

describe('the fake amoCRM account saved as a seed', () => {
  it('comes back the same from toSeed() through JSON: records, fields, tags, links, tombstones, tasks', () => {
    const ds = generateDataset({ seed: 5, counterparties: 30 });
    const a = new AmoCrmState(amoSeedFromDataset(ds.crm), {}, () => new Date('2026-10-01T09:00:00Z'));
    const key = a.addField('companies', { name: 'Ключ 1С', type: 'text' });
    const [c1, c2] = a.list('companies').map((c) => Number(c.id));
    a.update('companies', c1, {
      custom_fields_values: [{ field_id: key.id, values: [{ value: 'sverka-1c:abc' }] }],
      _embedded: { tags: [{ name: 'VIP' }] },
    });
    const contact = a.add('contacts', { first_name: 'Иван', last_name: 'Петров', name: 'Петров Иван' });
    a.link('contacts', contact, [{ to_entity_type: 'companies', to_entity_id: c1 }], false);
    const lead = a.add('leads', { name: 'Заказ 1', price: 1235, _embedded: { companies: [{ id: c1 }] } });
    a.link('leads', lead, [{ to_entity_type: 'contacts', to_entity_id: contact }], false);
    a.setLeadStatus(lead, WON_STATUS);
    a.deleteInInterface('companies', c2);
    a.addTasks(
      [{ text: 'Позвонить', complete_till: 1790000000, entity_type: 'companies', entity_id: c1 }],
      a.users[0].id,
    );
    const [task] = a.taskList();
    a.completeTask(Number(task.id), 'Сделано');

    const b = new AmoCrmState(
      JSON.parse(JSON.stringify(a.toSeed())),
      {},
      () => new Date('2026-10-02T09:00:00Z'),
    );
    for (const entity of ['companies', 'contacts', 'leads'] as const)
      expect(b.list(entity)).toEqual(a.list(entity));
    expect(b.valueOf('companies', c1, 'Ключ 1С')).toBe('sverka-1c:abc');
    expect([b.companyOf('contacts', contact), b.companyOf('leads', lead)]).toEqual([c1, c1]);
    expect(b.get('leads', lead)).toEqual(a.get('leads', lead));
    expect(b.taskList()).toEqual(a.taskList());
    // The tombstone stays deleted, and its id is never given to a new record.
    expect(b.get('companies', c2)).toBeUndefined();
    expect(b.add('companies', { name: 'Новая' })).toBe(a.add('companies', { name: 'Новая' }));
  });
});
