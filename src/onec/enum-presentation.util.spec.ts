import { enumPresentation } from './enum-presentation.util.js';

describe('enumPresentation: a 1C enumeration value as people read it', () => {
  it.each([
    ['НеСогласован', 'Не согласован'],
    ['КОбеспечению', 'К обеспечению'],
    ['КВыполнению', 'К выполнению'],
    ['КОтгрузке', 'К отгрузке'],
    ['Закрыт', 'Закрыт'],
    ['ОжидаетсяПредоплатаДоОбеспечения', 'Ожидается предоплата до обеспечения'],
    ['БезНДС', 'Без НДС'],
    ['НДС20', 'НДС20'],
    ['', ''],
  ])('%s → %s', (name, shown) => {
    expect(enumPresentation(name)).toBe(shown);
  });
});
