import {
  FilterError,
  checkFilter,
  evaluate,
  parseFilter,
  splitParameters,
  unwrapParameter,
} from './odata-filter.js';

describe('fake 1C $filter grammar (docs/protocols/onec-odata.md#filter-grammar)', () => {
  const row = {
    Code: "00-0'7",
    Date: '2026-08-14T10:15:00',
    Number: 'ЦБ-000123',
    IsFolder: false,
    Сумма: 10.5,
    Ref_Key: 'a348aa8c-d629-11e5-0a9b-000c295e30eb',
  };
  const ok = (f: string) => evaluate(parseFilter(f), row);

  it('evaluates operators, and/or/not, parentheses and every literal form', () => {
    expect(ok("Code eq '00-0''7'")).toBe(true);
    expect(ok("Code gt '00-0' and IsFolder eq false")).toBe(true);
    expect(
      ok(
        "(Date gt datetime'2026-08-14T10:15:00' or (Date eq datetime'2026-08-14T10:15:00' and Number gt 'ЦБ-000122'))",
      ),
    ).toBe(true);
    expect(
      ok(
        "(Date gt datetime'2026-08-14T10:15:00' or (Date eq datetime'2026-08-14T10:15:00' and Number gt 'ЦБ-000123'))",
      ),
    ).toBe(false);
    expect(ok("Ref_Key eq guid'A348AA8C-D629-11E5-0A9B-000C295E30EB'")).toBe(true);
    expect(ok('not IsFolder eq true and Сумма ge 10.5 and Сумма lt 11')).toBe(true);
    expect(ok("Code ne '00-0''7' or IsFolder eq true")).toBe(false);
  });

  it('rejects bad filters with 400 and order comparison of references with 500', () => {
    const status = (f: string) => {
      try {
        checkFilter(parseFilter(f), (x) => x in row);
        return 200;
      } catch (e) {
        return (e as FilterError).status;
      }
    };
    expect(status("Ref_Key eq guid'nope'")).toBe(400);
    expect(status("Code eq 'unterminated")).toBe(400);
    expect(status("Нет eq 'x'")).toBe(400);
    expect(status("Ref_Key gt guid'a348aa8c-d629-11e5-0a9b-000c295e30eb'")).toBe(500);
    expect(status("Ref_Key eq guid'a348aa8c-d629-11e5-0a9b-000c295e30eb'")).toBe(200);
  });

  it('splits virtual-table parameters and undoes the quote doubling', () => {
    const p = splitParameters(
      "Period=datetime'2026-09-01T00:00:00',AccountCondition='Account_Key eq guid''fb2bde45-f2d1-11e5-8b86-000c295e30eb''',Condition='Code eq ''O''''B'''",
    );
    expect(p.get('Period')).toBe("datetime'2026-09-01T00:00:00'");
    expect(unwrapParameter(p.get('AccountCondition')!)).toBe(
      "Account_Key eq guid'fb2bde45-f2d1-11e5-8b86-000c295e30eb'",
    );
    expect(evaluate(parseFilter(unwrapParameter(p.get('Condition')!)), { Code: "O'B" })).toBe(true);
  });
});
