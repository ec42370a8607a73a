// Typo repair against a small lexicon (pure). A token is rewritten only when it is not a word we
// know, is long enough to judge, and one lexicon word is clearly the nearest within a small
// typo distance (one slip up to 9 letters, two from 10; see edit-distance.ts). Frequent everyday words are listed so that they are
// never "corrected" into domain words ("sposa" must not become "spesa", "venuta" not "svenuta"),
// and so is every word written in the rules' own patterns (see `wordsInPatterns`), so that no
// rule ever loses a word to the corrector.
import { EDIT, typoDistance } from './edit-distance.ts';
import { EMERGENCY_GUARD_WORDS, EMERGENCY_PATTERNS } from './emergency.ts';
import { BACK_HOME, BEREAVED, DISTRESS, GREETING, INTENT_RULES, MORE_HOURS, NEW_DETAILS, NOTIFY_ME, VICTIM } from './intent-rules.ts';
import { KNOWN_NAMES } from './names.ts';
import { SERVICE_PATTERNS } from './services.ts';
import { SUBJECT_PATTERNS } from './subject.ts';

/** Regular -are verbs the rules care about; their common forms are generated below. */
const ARE_STEMS = [
  'lav', 'alz', 'rialz', 'cammin', 'spost', 'gir', 'accompagn', 'aiut', 'cucin', 'prepar', 'port',
  'respir', 'soffoc', 'sanguin', 'annull', 'cancell', 'rimand', 'segnal', 'chiam', 'richiam',
  'telefon', 'parl', 'ricover', 'ritir', 'stir', 'riordin', 'sistem', 'lament', 'reclam',
  'mand', 'pass', 'casc', 'scivol', 'inciamp', 'accasci', 'ferm', 'pens', 'accett', 'approv',
  'rifiut', 'present', 'inizi', 'funzion', 'cerc', 'serv', 'trov', 'pag', 'ascolt', 'spieg', 'cambi', 'tir', 'gir', 'arriv', 'lasci', 'prov', 'tagli',
];
const ARE_ENDINGS = [
  'are', 'arsi', 'armi', 'arla', 'arlo', 'arli', 'arle', 'arti', 'argli', 'a', 'o', 'ano', 'ata',
  'ato', 'ate', 'ati', 'ava', 'ando', 'ino', 'iamo', 'erei', 'erebbe', 'asse',
];

const DOMAIN_WORDS = `
aiuto aiuti aiutino assistenza assistente domiciliare domicilio bisogno serve servono servirebbe
servirebbero qualcuno qualcosa persona persone operatore operatrice operatori umano umana vera
igiene intima lavandino lavarsi lavarmi lavarla lavarlo lavargli lavi lavare capelli unghie piedi pedicure
bagno vasca doccia spugnatura completo allettata allettato allettati letto
vestirsi vestirmi vestirla vestirlo vestire vesta vesto veste vestita vestito
alzarsi alzarmi alzarla alzarlo rialzarsi rialzarmi rialzarla alzo alza rialza sollevatore
mettere metterla metterlo mettermi metta metti messo messa coricarsi
camminare cammina cammino deambulazione deambulatore sorregga sorreggere passeggiata
carrozzina carrozzella rotelle posizione piaghe spostarla spostarlo spostarmi mobilizzazione
pranzo pasto pasti cena colazione cucinare cucina mangiare mangia mangio imboccare imbocchi imbocca
imboccarla imboccarlo pulizie pulizia pulire pulisce pulito pulita puliscono faccende pavimenti
sporca sporco sporchissima sporchissimo disordine biancheria armadio stirare bucato lavatrice
spesa commissioni accompagnare accompagni accompagna accompagnarmi accompagnarla accompagnarlo
farmacia medicine medicinali medico dottore dottoressa banca posta pensione visita esami
prelievo analisi ospedale
voucher ore saldo credito rimaste rimasti restano rimangono residue residui disponibili
domanda pratica richiesta graduatoria attesa posizione esito risposta novita notizie valutazione
accolta accettata approvata respinta rifiutata presentato presentata
requisiti documenti isee diritto spetta spettano spetterebbe costa costo tariffa tariffe iscrivermi iscriversi funziona
morto morta morti mancato mancata deceduto deceduta scomparso scomparsa lutto funerale
dimesso dimessa dimessi rientrato rientrata riprendere riattivare ripartire ricominciare
trasferito trasferita trasferiti trasloco traslocare traslocato indirizzo residenza cellulare
funzionano informazioni ufficio sportello servizi sociali sociale orari orario
segnalare segnalo segnalazione segnalazioni portiere portinaia portinaio custode vicina vicino
vicini inquilina inquilino condomino condominio palazzo stabile pianerottolo anziana anziano
anziani abbandonata abbandonato confusa confuso ritira
richiamare richiamate richiamatemi chiamatemi telefonatemi passatemi capito capisco
sospendere sospendete sospensione sospeso sospesa interrompere interrompete interruzione
rinunciare rinuncio rinuncia ricoverata ricoverato ricovero riposo vacanza definitivamente
annullare annullate annullo disdire disdico disdetta cancellare cancellate spostare rimandare
rimandiamo rinviare appuntamento appuntamenti intervento
cooperativa cooperative accreditati accreditate accreditato ente enti fornitori fornitore elenco
reclamo reclami lamentela lamentarmi ritardo maleducata maleducato scortese sgarbata sgarbato
pessimo pessima vergogna insoddisfatta insoddisfatto soddisfatta soddisfatto contenta contento
buongiorno buonasera buonanotte salve ciao grazie arrivederci
caduta caduto cadute caduti cadere cade cada cascata cascato scivolata scivolato inciampata
inciampato accasciata accasciato terra pavimento respira respiro respirare respirando soffoca
soffocando affanno petto dolore infarto svenuta svenuto svenire sviene svenimento sensi
conoscenza incosciente sveglia bocca storta storto faccia braccio gamba parlare ictus paresi
sangue sanguina emorragia pastiglie pillole compresse sbattuto battuto sbattuta gas odore puzza fuga perdita fumo fuoco fiamme incendio bruciato
brucia bruciando convulsioni epilettica ambulanza emergenza soccorso
mamma madre papa padre babbo marito moglie nonna nonno zia zio suocera suocero sorella
fratello figlia figlio nipote cognata cognato genitori signora signore signor
oggi domani dopodomani stamattina stasera pomeriggio mattina mattinata sera serata
lunedi martedi mercoledi giovedi venerdi sabato domenica settimana prossimo prossima scorso
scorsa gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre
dicembre mezzogiorno mezzanotte
help shopping groceries errands pharmacy doctor washing wash bathing bath shower hygiene
dressed dressing walking walk wheelchair meals meal cooking cook lunch dinner cleaning clean
house bed hours vouchers voucher balance left remaining application waiting approved apply
eligible requirements neighbour neighbor upstairs operator human person speak talk call
suspend pause hospital cancel reschedule appointment visit providers provider agencies agency
cooperatives companies accredited complaint complain rude late carer caregiver hello morning
afternoon evening thanks thank breathing breathe chest pain heart attack fainted unconscious
stroke bleeding blood smoke fire flames smell fell fallen floor collapsed mother father husband
wife grandmother grandfather daughter tomorrow today monday tuesday wednesday thursday friday
saturday sunday january february march april june july august september october november december
`;

const COMMON_WORDS = `
a ad al alla alle allo ai agli all anche ancora avere avete aveva bene ben che chi ci come con
cosa cose da dal dalla dalle dai dagli dei del della delle dello di dove e ed era essere fa fai
fare fatto fatta gli ha hai hanno ho i il in io la le lei lo loro lui ma me mi mia mio miei mie
molto molta molti molte ne nei nel nella nelle no noi non o ogni oggi per perche piu poi po
proprio qua qui quando quanto quanta quante quanti quella quello quelle quelli questa questo
queste questi se sei si sia solo sola soli sono sta stai sto su sua suo sue suoi sul sulla te ti
tra fra tu tutto tutti tutta tutte un una uno voi vorrei volevo voglio vuole vuoi posso puo
possiamo potete possono devo deve dobbiamo dovete devono sempre mai niente nulla nessuno nessuna
gia adesso ora allora cosi tanto tanta tanti tante poco poca pochi tempo anni anno mese mesi
giorno giorni volta volte casa case caso cane cara caro carta conto canto santo sento senti
vento dente mente gente parte parla parlo carne letto latte detto tetto sotto sopra dentro fuori
porta parto pasta sposa sposare spese spesso visto vista venuto venuta venuti venute vengo viene
vengono venire vieni venite arriva arrivato arrivata storia terza terzo primo prima secondo
seconda quarto quarta quinto quinta ultimo ultima piano piani cosa grazie prego scusa scusate
buono buona bello bella brutto grande piccolo nuovo nuova vecchio vecchia solo tutto sapere so
sai sa sappiamo fuma fumare fumi fuochi artificio sigaretta sigarette capo testa mano mani
occhi cuore pressione febbre tosse bronchite schiena stomaco pancia gambe braccia diabete
caldaia stufa fornello camino caminetto cortile tende pastiglie pillole bolletta bollette tecnico pagare pagato telefono numero messaggio scrivo
scritto scrivere leggere dire detto dice dicono fatto fanno faccio facciamo dato data date
dare dai andare vado va andiamo vanno andato andata stare stato stata stati essere siamo siete
avuto avuta abbiamo hanno avevo avrei avrebbe potrei potrebbe dovrei dovrebbe vorrebbe volere
chiedo chiedere chiesto risposto scritto visto fatto preso presa prendere tornare tornato
signori signorina ragazza ragazzo ragazzi bambini figli nipoti amica amico amici famiglia
comune comuni via piazza numero interno scala scale sopra sotto dietro davanti vicino lontano
calcio partita tempo meteo pioggia sole caldo freddo vinto perso giocare gioco pero comunque
mezza mezzo quarto ore ora minuti secondi settimane mesi anni fa
abito abita abitano abitare accanto accendo accende acceso accesa acqua aiuta alto alta altri
altro altra altre ama amore andata ansia appena aperto aperta apre aprire arrivo arriva aspetta
aspetto aspettare attenta attento avanti avere bagnato bambino bambina basta bisogna bocca bravo
brava buio calda caldo cambio camera cammino capisce capire carino casetta cena certo certa
chiama chiamo chiede chiedo chiesa chiuso chiusa cielo cinema citta colpa comodo compra comprare
compro conosco conosce contro corto corta corre costruire cucino cuore cura curare dai dammi dare
detta dico dietro difficile dimmi dire dite dolce domande donna dopo dorme dormire dove dunque
entra entrare esce uscire esco esiste estate facile fame fatta ferro festa fiato figli finestra
finisce finito finita fiore fiori foto forse forte fratelli freddo frigo fuori gatto gente gia
giardino gioca giornata giro giusto gola grave grazie guarda guardare ieri inverno invece lascia
lasciare lato lavoro lavora lavori legge libero libro linea lista luce lunga lungo madre magari
mai male malata malato mamme mangiato mattina medio meglio meno mese messa metto mettere mezzo
minuto moglie molto mondo morte muore nasce naso neanche nero niente nome nonni nostra nostro
notte nulla nuovo occhio odio offerta ognuno ombra onesto ora ordine ormai ospite ottimo padre
paese paga pagina paio pane parenti parlato parole parola partire passa passato paura pausa pelle
pena penso pensa pentola perso peso pezzo piace piacere piange piano piatto piccola piede pieno
piove poco porto posto potere povero pranzato prende prendo presto prima problema prossimo pronto
proprio prova pure qualche quale quali quasi raccontare ragione regalo resto ricordo ride ridere
riesce riesco risposto rosso rotto rotta russa sale salgo salire salute sapere sappia scale scala
scende scendere scrive scusi secondo sedia segue sembra sempre sentire sento serio sette sicuro
sicura signori silenzio smette smesso sogno soldi sole sonno sopra sorella spalla spento spenta
spero spiega sporco stanca stanco stanza stasera stesso stessa strada strano strana sudato sudata
suona tappeto tardi tavolo telefona tempo tenere terzo testa tira torna tornata tornato tosse
tossisco tranquillo tranquilla treno triste troppo trova trovata trovato tutta uguale ultima
uomo uscita usato usata vaso vecchi vede vedere vedo veloce vengo verde vero vestaglia viaggio
vicino viene vino vita vive vivere vivo voce volta vuoto zitto livido ferita cerotto dito ditta
pallido pallida depressione vapore russo cortile balcone terrazzo macchina tetto garage cantina
ascensore portone citofono campanello chiave chiavi
the a an and or but if of to in on at by for with from up down out over is are was were be
been being am i me my mine you your he him his she her it its we us our they them their this
that these those what which who whom how why when where there here not no yes can could will
would shall should may might must do does did done have has had get got getting go going gone
come came want need needs please some someone somebody anyone any all more most very much many
just now then than too also only about into after before again still new old man woman lady
people time day days week weeks month months year years ago last next tonight good bad fine ok
okay well much make made take took see seen saw know think like living lives live alone since
buon buona buone buoni bel bei ecco essa esso fino gran mica noto nota olio qual quel quei
sara saro tale tipo tuoi tuo tua vedi vede dico dici dice fosse fossi hai avra avro mesi meno
ieri poco pochi ogni sera ora ore orto alto alta alti alte anch ciao caso cosi dare dato data
dati dite dopo due tre uno una sei sette otto nove dieci cento mille primo anni tardi presto
piano pieno pure resto ride sale sole sono sopra sotto stai stato tanto tempo torno tutto vado
vai vale vera vero vita voce voglia volta zona apposto
`;

/** Words a token is left alone for. */
const KNOWN = new Set<string>();
/** Correction targets by length: domain words, rule words and everyday words. */
const BY_LENGTH = new Map<number, string[]>();

function addTarget(word: string): void {
  if (KNOWN.has(word)) return;
  KNOWN.add(word);
  const bucket = BY_LENGTH.get(word.length);
  if (bucket === undefined) BY_LENGTH.set(word.length, [word]);
  else bucket.push(word);
}
for (const w of DOMAIN_WORDS.split(/\s+/)) if (w !== '') addTarget(w);
for (const stem of ARE_STEMS) for (const ending of ARE_ENDINGS) addTarget(stem + ending);
// Everyday words are targets too: "tesra" should become "testa", not stay unreadable, and a
// misspelt everyday word is better mapped to itself than to the nearest domain word.
for (const w of COMMON_WORDS.split(/\s+/)) if (w !== '') addTarget(w);

/**
 * Whole words written literally in regex sources ("servizio" in `/il servizio/`), skipping stems
 * that the pattern extends ("cammin" in `cammin\w*`, "lavar" in `lavar(mi|si)`).
 */
export function wordsInPatterns(patterns: Iterable<RegExp>): string[] {
  const words = new Set<string>();
  for (const re of patterns) {
    // "\b" and "\s" are boundaries; "\w" extends a stem, so it is marked to disqualify it.
    const source = re.source.replace(/\\[bBsSdD]/g, ' ').replace(/\\w/g, '#');
    for (const m of source.matchAll(/(?<![a-z])[a-z]{4,}(?=[^a-z#([?*+{]|$)/g)) words.add(m[0]);
  }
  return [...words];
}

// Rule words are always protected; they become correction targets only when they look like whole
// words (Italian words end in a vowel), because a stem inside an alternation ("svenut" in
// `(cadut|svenut)[oa]`) is not something to correct towards.
for (const w of wordsInPatterns([...EMERGENCY_PATTERNS, ...INTENT_RULES.map((r) => r.pattern), GREETING, DISTRESS, VICTIM, MORE_HOURS, BEREAVED, NEW_DETAILS, NOTIFY_ME, BACK_HOME, ...SERVICE_PATTERNS, ...SUBJECT_PATTERNS])) {
  if (/[aeiou]$/.test(w)) addTarget(w);
  else KNOWN.add(w);
}
for (const w of EMERGENCY_GUARD_WORDS) addTarget(w);
// People's names are left as written, never made targets: "laura" is a name, not "ladra" mistyped.
for (const w of KNOWN_NAMES) KNOWN.add(w);

// Memoised because the same few misspellings recur in every chat; bounded so that a flood of
// random text cannot grow it without limit.
const cache = new Map<string, string>();
const CACHE_LIMIT = 20_000;
// Beyond this many tokens a message is not a person typing a request; leave the tail as it is.
const MAX_CORRECTED_TOKENS = 300;

/** Replaces misspelt tokens with the single nearest domain word; known and short tokens pass through. */
export function correctSpelling(tokens: readonly string[]): string[] {
  return tokens.map((t, i) => (i < MAX_CORRECTED_TOKENS ? correctToken(t) : t));
}

function correctToken(token: string): string {
  if (token.length < 4 || KNOWN.has(token) || /[^a-z]/.test(token)) return token;
  const hit = cache.get(token);
  if (hit !== undefined) return hit;
  const corrected = nearestDomainWord(token) ?? token;
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(token, corrected);
  return corrected;
}

function nearestDomainWord(token: string): string | undefined {
  const maxEdits = token.length >= 10 ? 2 : 1;
  const max = maxEdits * EDIT;
  let best: string | undefined;
  let bestRank: readonly number[] = [max + 1, 0, 0];
  let ambiguous = false;
  for (let len = token.length - maxEdits; len <= token.length + maxEdits; len++) {
    for (const word of BY_LENGTH.get(len) ?? []) {
      // Short words: a wrong first letter is more often a different word than a typo.
      if (token.length < 6 && word[0] !== token[0]) continue;
      const d = typoDistance(token, word, bestRank[0] ?? max);
      if (d > max) continue;
      // Closest first; among equally close words, the one sharing the longer beginning, then
      // the longer ending, since typing slips happen mostly inside words ("perto" → "petto",
      // not "porto").
      const rank = [d, -sharedPrefix(token, word), -sharedSuffix(token, word)];
      const cmp = compareRanks(rank, bestRank);
      if (cmp < 0) {
        best = word;
        bestRank = rank;
        ambiguous = false;
      } else if (cmp === 0 && best !== undefined && word.slice(0, 4) !== best.slice(0, 4)) {
        // Two forms of one word ("lavarla"/"lavarle") are the same signal; two different words
        // equally close are a genuine doubt, and then the token is left alone.
        ambiguous = true;
      }
    }
  }
  return best !== undefined && !ambiguous ? best : undefined;
}

function sharedPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

function sharedSuffix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[a.length - 1 - i] === b[b.length - 1 - i]) i++;
  return i;
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
