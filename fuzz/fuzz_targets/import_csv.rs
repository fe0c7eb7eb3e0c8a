//! Any rows after the header of each layout `import` reads (the first byte picks the
//! layout), through the reader that layout selects. Nothing may panic; every span of a
//! diagnostic lies inside the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// The header of each layout, as its source writes it (the World Bank's: the preamble
/// and the 1960–2014 columns of the fixture `API_SM.POP.NETM_DS2_en_csv_v2.csv`).
const HEADERS: [&str; 7] = [
    concat!(
        "\"Data Source\",\"World Development Indicators\",\r\n\r\n\"Last Updated Date\",\"2015-07-28\",\r\n\r\n",
        "\"Country Name\",\"Country Code\",\"Indicator Name\",\"Indicator Code\",",
        "\"1960\",\"1961\",\"1962\",\"1963\",\"1964\",\"1965\",\"1966\",\"1967\",\"1968\",\"1969\",\"1970\",\"1971\",\"1972\",\"1973\",\"1974\",\"1975\",\"1976\",\"1977\",\"1978\",\"1979\",\"1980\",\"1981\",\"1982\",\"1983\",\"1984\",\"1985\",\"1986\",\"1987\",\"1988\",\"1989\",\"1990\",\"1991\",\"1992\",\"1993\",\"1994\",\"1995\",\"1996\",\"1997\",\"1998\",\"1999\",\"2000\",\"2001\",\"2002\",\"2003\",\"2004\",\"2005\",\"2006\",\"2007\",\"2008\",\"2009\",\"2010\",\"2011\",\"2012\",\"2013\",\"2014\",\r\n"
    ),
    "Country Name,Country Code,Year,Value\n",
    "iso3,indicator,year,value,source,flag\n",
    "geo,t,from,sex,n,type_b,type_c,type_r,type_i\n",
    "geo,t,from,group,n\n",
    "geo,t,cause,n\n",
    "geo,var,t,v\n",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let mut bytes = HEADERS[pick as usize % HEADERS.len()].as_bytes().to_vec();
    bytes.extend_from_slice(rest);
    let (_, diags, text) = mpgen::import::read_bytes("data.csv", bytes, Some("SM.POP.TOTL".into()));
    if let Some((_, text)) = text {
        for d in &diags {
            if let Some(span) = &d.span {
                assert!(span.start <= span.end && span.end <= text.len(), "{d:?}");
            }
        }
    }
});
