/**
 * The comuni of the Ambito dell'Abbiatense today: 14, since Vermezzo and Zelo Surrigone merged
 * into Vermezzo con Zelo in 2019 (the regulation's "15" predates the merger).
 * The over-65 figures are ILLUSTRATIVE round numbers of plausible size, not ISTAT data: the
 * `over65Illustrative` flag stays true until the ufficio di piano imports the real figures.
 */
export const DEMO_COMUNI: readonly { id: string; name: string; over65: number; patronDay?: string }[] = [
  { id: 'abbiategrasso', name: 'Abbiategrasso', over65: 7900 },
  { id: 'albairate', name: 'Albairate', over65: 1100 },
  { id: 'besate', name: 'Besate', over65: 450 },
  { id: 'bubbiano', name: 'Bubbiano', over65: 480 },
  { id: 'calvignasco', name: 'Calvignasco', over65: 250 },
  { id: 'cassinetta-di-lugagnano', name: 'Cassinetta di Lugagnano', over65: 480 },
  { id: 'cisliano', name: 'Cisliano', over65: 1000 },
  { id: 'gaggiano', name: 'Gaggiano', over65: 2100 },
  { id: 'gudo-visconti', name: 'Gudo Visconti', over65: 380 },
  { id: 'morimondo', name: 'Morimondo', over65: 300 },
  { id: 'motta-visconti', name: 'Motta Visconti', over65: 1700 },
  { id: 'ozzero', name: 'Ozzero', over65: 350 },
  { id: 'rosate', name: 'Rosate', over65: 1250 },
  { id: 'vermezzo-con-zelo', name: 'Vermezzo con Zelo', over65: 1250 },
];
