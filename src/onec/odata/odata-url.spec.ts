import {
  buildQuery,
  periodAfter,
  refsFilter,
  resourceUrl,
  stringLiteral,
  wrapParameter,
  andFilters,
} from './odata-url.js';

describe('OData URL building: percent-encoding and the Balance request', () => {
  const root = 'http://srv/bp30/odata/standard.odata';

  it('percent-encodes Cyrillic path segments as UTF-8 and keeps quotes, parentheses, =, comma and colon literal', () => {
    expect(resourceUrl(root, 'Catalog_Контрагенты')).toBe(
      `${root}/Catalog_%D0%9A%D0%BE%D0%BD%D1%82%D1%80%D0%B0%D0%B3%D0%B5%D0%BD%D1%82%D1%8B`,
    );
    expect(resourceUrl(`${root}/`, "Catalog_X(guid'a348aa8c-d629-11e5-0a9b-000c295e30eb')")).toBe(
      `${root}/Catalog_X(guid'a348aa8c-d629-11e5-0a9b-000c295e30eb')`,
    );
  });

  it('builds the exact Balance request (docs/protocols/onec-odata.md#receivables)', () => {
    const inner =
      "Account_Key eq guid'fb2bde45-f2d1-11e5-8b86-000c295e30eb' or Account_Key eq guid'fb2bde46-f2d1-11e5-8b86-000c295e30eb'";
    const seg = `AccountingRegister_Хозрасчетный/Balance(Period=datetime'${periodAfter('2026-08-31')}',AccountCondition=${wrapParameter(inner)})`;
    const url = decodeURIComponent(resourceUrl(root, seg));
    expect(url).toBe(
      `${root}/AccountingRegister_Хозрасчетный/Balance(Period=datetime'2026-09-01T00:00:00',AccountCondition='Account_Key eq guid''fb2bde45-f2d1-11e5-8b86-000c295e30eb'' or Account_Key eq guid''fb2bde46-f2d1-11e5-8b86-000c295e30eb''')`,
    );
    expect(resourceUrl(root, seg)).toContain("AccountCondition='Account_Key%20eq%20guid''fb2bde45");
  });

  it('a text literal with an apostrophe carries four quotes once wrapped', () => {
    expect(wrapParameter(`Code eq ${stringLiteral("O'Brien")}`)).toBe("'Code eq ''O''''Brien'''");
  });

  it('encodes query values with %20, never +, and leaves keys literal', () => {
    expect(
      buildQuery({
        $format: 'json',
        $filter: "Code gt '00-1' and IsFolder eq false",
        $top: 500,
        $skip: undefined,
      }),
    ).toBe("?$format=json&$filter=Code%20gt%20'00-1'%20and%20IsFolder%20eq%20false&$top=500");
  });

  it('ORs key filters and combines base and cursor filters', () => {
    expect(refsFilter(['A348AA8C-D629-11E5-0A9B-000C295E30EB'])).toBe(
      "Ref_Key eq guid'a348aa8c-d629-11e5-0a9b-000c295e30eb'",
    );
    expect(andFilters('IsFolder eq false', "Code gt '1'")).toBe("IsFolder eq false and Code gt '1'");
    expect(andFilters(undefined, '(a eq 1 or b eq 2)')).toBe('(a eq 1 or b eq 2)');
    expect(andFilters('x eq 1', 'a eq 1 or b eq 2')).toBe('x eq 1 and (a eq 1 or b eq 2)');
    expect(periodAfter('2026-12-31')).toBe('2027-01-01T00:00:00');
  });
});
