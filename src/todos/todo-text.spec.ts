import { fieldsCount, todoDescription, todoTitle } from './todo-text.js';

describe('conflict to-do words', () => {
  const input = {
    entity: 'counterparties' as const,
    recordName: 'ООО «Ромашка»',
    conflicts: [
      { field: 'inn', onecValue: '7736050003', crmValue: '500100732259' },
      { field: 'phones', onecValue: '+74957654321', crmValue: '' },
    ],
  };

  it('the title names the record and how many fields wait', () => {
    expect(todoTitle(input)).toBe('Сверка с 1С: проверьте 2 поля — компания «ООО «Ромашка»»');
    expect(todoTitle({ ...input, entity: 'deals', recordName: '', conflicts: [input.conflicts[0]] })).toBe(
      'Сверка с 1С: проверьте 1 поле — сделка',
    );
    expect(todoTitle({ ...input, recordName: 'Я'.repeat(200) })).toHaveLength(
      'Сверка с 1С: проверьте 2 поля — компания «»'.length + 120,
    );
  });

  it('the description names each field with both values, what to do and what completing does', () => {
    expect(todoDescription(input)).toBe(
      [
        'В карточке компании «ООО «Ромашка»» эти поля изменили и в 1С, и в CRM. Sverka не перезаписывает их, пока вы не решите, какое значение верное.',
        '',
        '1. ИНН',
        '   в 1С: 7736050003',
        '   в CRM: 500100732259',
        '2. Телефоны',
        '   в 1С: +74957654321',
        '   в CRM: (пусто)',
        '',
        'Что сделать:',
        '• верно значение 1С — исправьте поле в карточке, как в 1С;',
        '• верно значение CRM — оставьте карточку как есть и попросите исправить 1С.',
        'Затем завершите это дело. Sverka запомнит значения, которые будут в карточке в момент завершения, и не станет их перезаписывать, пока эти поля не изменят в 1С снова.',
      ].join('\n'),
    );
  });

  it('Russian plurals of «поле»', () => {
    expect([1, 2, 4, 5, 11, 12, 21, 22, 25, 101, 111].map(fieldsCount)).toEqual([
      '1 поле',
      '2 поля',
      '4 поля',
      '5 полей',
      '11 полей',
      '12 полей',
      '21 поле',
      '22 поля',
      '25 полей',
      '101 поле',
      '111 полей',
    ]);
  });
});
