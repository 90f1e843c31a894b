import { translitWord } from './translit-key.js';

describe('translitWord', () => {
  it.each([
    ['ромашка', 'romashka'],
    ['щит', 'shchit'],
    ['чайка', 'chaika'],
    ['чайка', 'chayka'],
    ['жемчуг', 'zhemchug'],
    ['химпром', 'khimprom'],
    ['центр', 'tsentr'],
    ['яндекс', 'yandex'],
    ['юнитрейд', 'yunitreid'],
    ['альянс', 'alyans'],
    ['ассоль', 'asol'],
    ['крылья', 'krylia'],
    ['сокол', 'sokol'],
    ['компас', 'compas'],
    ['вектор', 'wektor'],
    ['радио', 'radio'],
    ['мария', 'maria'],
    ['мария', 'mariya'],
    ['мария', 'mariia'],
    ['майоров', 'mayorov'],
    ['майоров', 'maiorov'],
    ['татьяна', 'tatiana'],
    ['татьяна', 'tatyana'],
    ['юлия', 'yuliya'],
    ['юлия', 'iuliia'],
    ['василий', 'vasiliy'],
    ['василий', 'vasily'],
    ['елена', 'yelena'],
    ['ильич', 'ilyich'],
  ])('%s ≈ %s', (cyr, lat) => {
    expect(translitWord(cyr)).toBe(translitWord(lat));
  });

  it('keeps different words apart', () => {
    expect(translitWord('ромашка')).not.toBe(translitWord('лютик'));
    expect(translitWord('сокол')).not.toBe(translitWord('соколов'));
  });

  it('keeps digits', () => {
    expect(translitWord('2000')).toBe('2000');
  });
});
