// Package catalogue is the versioned list of bundled services (一件事): the
// departments, each bundle's items (事项), their time limits, materials and
// dependencies. The shipped catalogue (data/catalogue.json, embedded) holds
// the 13 bundles of the 2024 first national batch (国发〔2024〕3号); Parse
// loads a newer one from bytes.
//
// The rules, with their sources in DOMAIN.md:
//
//  1. A bundle is 并联 (Parallel: items run side by side where dependencies
//     allow) or 串联 (Serial: one chain, like 退休: 人社 approval -> 公积金
//     freeze -> 公积金 withdrawal). Dependencies form a DAG within a bundle;
//     an item is dispatched when all it depends on have concluded (Ready).
//  2. Items are 即办件 (Immediate: decided on the spot, no limit) or 承诺件
//     (Promised: decided within a limit in working or natural days).
//  3. Extensions may not exceed 行政许可法 Art. 42: +10 days for one
//     department; a bundle, being joint handling, promises at most 45 days.
//     Art. 45 pauses (hearings, inspection, testing, expert review) are
//     handled by workday.Pause, not here.
//  4. Materials are key, or minor and so eligible for 容缺受理 (acceptance
//     with a signed commitment to supply them later); each is brought by the
//     applicant or pulled by data sharing (Shared), recorded per material.
//  5. Commitment marks items that can be granted at once on a signed
//     commitment (告知承诺), like the fire check of 开办餐饮店.
//  6. Five bundles follow official local pages (新生儿出生 Zhongshan, 退休
//     Ya'an, 开办餐饮店 a provincial plan, 企业信息变更 Shanghai, 身后
//     Jining); the other eight are plausible compositions marked
//     Illustrative. Every bundle's Source says which, and which numbers are
//     ours.
//
// The package does no I/O besides parsing the bytes it is given and keeps no
// mutable state.
package catalogue
