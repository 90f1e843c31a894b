import { foldWords } from './fold-text.js';
import { extractLegalForm } from './legal-forms.js';
import { comparePersonNames } from './person-name.js';

const words = (s: string) => extractLegalForm(foldWords(s)).words;
const cmp = (a: string, b: string) => comparePersonNames(words(a), words(b));

describe('comparePersonNames', () => {
  it('matches a full name in any word order', () => {
    expect(cmp('ИП Иванов Иван Иванович', 'Иван Иванович Иванов ИП')).toBe('same');
    expect(cmp('Индивидуальный предприниматель Иванов Иван Иванович', 'ИП Иванов Иван Иванович')).toBe(
      'same',
    );
  });

  it('accepts initials that agree with the full names', () => {
    expect(cmp('ИП Иванов И.И.', 'ИП Иванов Иван Иванович')).toBe('compatible');
    expect(cmp('И. И. Иванов', 'Иванов Иван Иванович')).toBe('compatible');
    expect(cmp('ИП Иванов', 'ИП Иванов И.И.')).toBe('compatible');
  });

  it('hard negative: a common surname with other initials is another person', () => {
    expect(cmp('ИП Иванов И.И.', 'ИП Иванов П.С.')).toBe('conflict');
    expect(cmp('ИП Иванов Иван Иванович', 'ИП Иванов Пётр Сергеевич')).toBe('conflict');
    expect(cmp('ИП Иванов И.И.', 'ИП Иванов Иван Петрович')).toBe('conflict');
  });

  it('matches a transliterated name and says nothing on a one-letter difference in a short word', () => {
    expect(comparePersonNames(['ivanov', 'ivan', 'ivanovich'], words('ИП Иванов Иван Иванович'))).toBe(
      'same',
    );
    expect(cmp('ИП Иванов Юрий Петрович', 'ИП Иванов Юлий Петрович')).toBe('unknown');
  });

  it('tolerates one typo in a long word, says nothing when no word is shared', () => {
    expect(cmp('ИП Кузнецова Анна Сергеевна', 'ИП Кузнецва Анна Сергеевна')).toBe('same');
    expect(cmp('ИП Иванов И.И.', 'ИП Петров П.П.')).toBe('unknown');
  });
});
