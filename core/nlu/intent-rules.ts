// Weighted phrase rules for the non-emergency intents (pure). Each rule is a named regex on the
// normalised, spell-corrected text with a weight: ~4 for a phrase that settles the intent by itself
// ("annullare", "reclamo"), ~3 for a strong cue, 1–2 for supporting evidence. An intent's score is
// the sum of its rules that fire; the best score wins if it reaches MIN_SCORE. The weights encode
// precedence between intents that share words: "annullate la spesa" is a cancellation (4) more
// than a shopping request (2); "come si fa per avere aiuto in casa" asks how to apply (3) more than
// it asks for help (1.5).
import type { Intent } from './types.ts';

export interface IntentRule {
  id: string;
  intent: Exclude<Intent, 'emergency' | 'unknown'>;
  weight: number;
  pattern: RegExp;
}

/** Below this, the message is `unknown` (or a greeting, if it opens with one). */
export const MIN_SCORE = 1.5;
/** A rule this strong means the message asks for something definite ("sospendete le visite"). */
export const STRONG_CUE = 3;

const r = (intent: IntentRule['intent'], id: string, weight: number, pattern: RegExp): IntentRule => ({ intent, id, weight, pattern });

export const INTENT_RULES: readonly IntentRule[] = [
  // voucher_balance — how many hours/vouchers are left.
  r('voucher_balance', 'quante-ore', 3, /\bquant[eio] ore\b/),
  r('voucher_balance', 'ore-rimaste', 3, /\bore (\w+ ){0,2}(rimast\w*|rimanent\w*|residu\w*|restant\w*|disponibil\w*|a disposizione)\b/),
  r('voucher_balance', 'ho-ancora-ore', 3, /\b(ho|ha|abbiamo|hai|avete) ancora (delle |le |tante |molte )?ore\b/),
  r('voucher_balance', 'ore-che-restano', 3, /\b(restano|rimangono|rimasto|rimaste|avanzano|restare) .{0,20}\bore\b|\bore .{0,20}\b(restano|rimangono|rimaste)\b/),
  r('voucher_balance', 'saldo', 3, /\b(saldo|credito)\b/),
  r('voucher_balance', 'quanti-voucher', 3, /\bquant[ie] voucher\b|\bvoucher (\w+ ){0,3}(rimast\w*|resid\w*|ancora)\b|\bancora .{0,12}\bvoucher\b/),
  r('voucher_balance', 'scadenza', 3.5, /\b(quando|fino a quando) (scade|finisce|termina|dura) (il |l |la )?(mio |mia )?(voucher|servizio|assistenza|programma)\b|\bfino a quando (ho|avro|abbiamo|ha|dura) (il |l |la )?(voucher|servizio|assistenza)\b|\bscadenza (del )?voucher\b|\bquant\w* (soldi|euro) .{0,15}\bvoucher\b/),
  r('voucher_balance', 'ore-finite', 3, /\bfinit\w* (le )?ore\b|\bore finit\w*/),
  // "Quando viene l'operatrice?": the next visit, answered from the same read as the hours.
  r('voucher_balance', 'next-visit', 3, /\bquando (viene|vengono|arriva|arrivano|passa|passano|verra|verranno|torna|tornano)\b(?! (l |il |la |una )?(assistente|assistenti|servizio sociale|servizi sociali|risposta|lettera|esito|decisione|comunicazione))|\ba che ora (viene|vengono|arriva|arrivano|passa)\b|\bprossim[ao] (visita|appuntamento|intervento|passaggio)\b|\bwhen (is|will|does) (the |my )?(next )?(visit|carer|care worker)\b|\bnext visit\b/),
  // "Viene domani la ragazza?", "l'operatrice arriva oggi?": the carer by what people call her, and a day.
  r('voucher_balance', 'viene-domani', 3, /\b(viene|vengono|arriva|arrivano|passa|passano) (domani|oggi|stamattina|dopodomani|lunedi|martedi|mercoledi|giovedi|venerdi|sabato) (la |l |il )?(ragazza|signora|operatric\w*|operator\w*|cooperativa)\b|\b(la |l |il )?(ragazza|operatric\w*|operator\w*) (viene|arriva|passa) (domani|oggi|stamattina|dopodomani|lunedi|martedi|mercoledi|giovedi|venerdi|sabato)$|\b(domani|oggi|stamattina|dopodomani) (viene|arriva|passa) (la |l |il )?(ragazza|signora|operatric\w*|operator\w*)$|^(viene|arriva|passa) (domani|oggi|stamattina|dopodomani|lunedi|martedi|mercoledi|giovedi|venerdi|sabato)$|^(domani|oggi|dopodomani|lunedi|martedi|mercoledi|giovedi|venerdi|sabato) (viene|arriva|passa)$|\bse (viene|vengono|arriva|passa) (domani|oggi|dopodomani|lunedi|martedi|mercoledi|giovedi|venerdi|sabato)\b|\bche (giorn[oi]|ora) (viene|vengono|arriva|passa)\b/),
  r('voucher_balance', 'hours-left', 3, /\b(hours?|vouchers?) (left|remaining)\b|\bhow many (hours|vouchers)\b|\bbalance\b|\bremaining hours\b/),

  // application_status — where is my application.
  r('application_status', 'a-che-punto', 3, /\ba che punto\b/),
  r('application_status', 'domanda-esito', 3, /\b(domanda|pratica|richiesta) .{0,30}\b(accolt\w*|accettat\w*|approvat\w*|respint\w*|rifiutat\w*)|\b(accolt|accettat|approvat|respint)\w* .{0,10}\b(domanda|pratica|richiesta)\b/),
  r('application_status', 'stato-domanda', 3, /\bstato (della|di) (mia |sua )?(domanda|pratica|richiesta)\b/),
  r('application_status', 'novita', 2, /\b(novita|notizie|aggiornament\w*)\b/),
  r('application_status', 'esito', 3, /\besito\b/),
  r('application_status', 'graduatoria', 3, /\b(graduatoria|lista (d |di )?attesa)\b|\b(in )?che (posizione|numero) (sono|e|siamo)\b|\bposizione (in|nella) (lista|graduatoria)\b/),
  r('application_status', 'domanda-fatta', 3, /\b(ho|abbiamo|hanno|ha) (gia )?(fatto|presentato|mandato|inviato|spedito|consegnato) (la |una )?(domanda|richiesta|pratica)\b|\b(fatto|presentato) .{0,10}\bdomanda\b/),
  r('application_status', 'quando-risposta', 3, /\bquando (mi |ci |le |gli )?(rispond\w*|fate sapere|fa sapere|fanno sapere|arriva la risposta|parte il servizio|inizia il servizio|comincia il servizio|viene l assistente sociale)\b|\brisposta scritta\b|\bquando (mi |ci )?(chiamate|chiamano|contattate|contattano) per (la|il) (domanda|pratica|richiesta|valutazione|visita)\b/),
  r('application_status', 'dalla-domanda', 2, /\bdalla domanda\b/),
  r('application_status', 'risposto', 3, /\b(avete|hanno|ha) (gia )?risposto (alla|sulla|per la) (mia |sua )?(domanda|richiesta|pratica)\b|\bnon (mi |ci )?(e arrivata|ho ricevuto|abbiamo ricevuto|arriva) (ancora )?(la |nessuna )?(lettera|risposta)\b/),
  r('application_status', 'application-en', 3, /\b(my|her|his|the) application\b|\bwaiting list\b|\bapplication (status|approved)\b|\b(been|was|is) approved\b|\bany news\b/),

  // apply_info — how to apply, who is eligible, documents, cost, where.
  r('apply_info', 'come-si-fa', 3, /\bcome (si fa|si puo|faccio|posso|fare|si richiede|si chiede|si ottiene) (per |a |ad )?(avere|ottenere|richiedere|chiedere|fare domanda|accedere|attivare)\b|\bcome si fa\b|\bcome si (richiede|chiede|ottiene|presenta)\b/),
  r('apply_info', 'come-funziona', 3, /\bcome funzion\w*/),
  r('apply_info', 'fare-domanda', 2.5, /\b(fare|presentare|compilare|faccio) (la |una )?domanda\b/),
  r('apply_info', 'requisiti', 3, /\b(requisit\w*|documenti|isee|diritto)\b|\bchi (puo|possono) (avere|fare|richiedere|accedere|ottenere|chiedere)\b|\b(posso|puo|possiamo) (avere|ottenere|richiedere) (il|l|la|un|una|lo)\b|\bcosa (devo|dobbiamo|bisogna|si deve|occorre) (portare|preparare|allegare|presentare)( per (la |fare la )?(domanda|richiesta)| per il voucher| in comune| all ufficio)?$|\bcosa (devo|dobbiamo|bisogna|si deve|occorre) (portare|preparare|allegare|presentare) per (la |fare la )?(domanda|richiesta)\b|\b(che|quali) carte\b|\b(mi|ci|le|gli) spett\w*|\bne ho diritto\b|\brientr\w* nei requisiti\b/),
  r('apply_info', 'dove-domanda', 3, /\bmodul\w*|\bdove (si|devo|posso|bisogna|vado|trovo)\b.{0,25}\b(domanda|andare|presentare|rivolger\w*|richiesta)\b|\ba chi (mi )?(devo|posso|bisogna) rivolger\w*/),
  r('apply_info', 'costo', 3, /\bquant\w* (costa|si paga|pago|paga)\b|\bcosta qualcosa\b|\bcosto del servizio\b|\btariff\w*|\bquanto (devo|dobbiamo|si deve|bisogna) pagare\b|\b(e|sara) (gratis|gratuito|gratuita)\b|\bsi paga\b|\bdevo pagare qualcosa\b|\bhow much (does it|is it|will it) cost\b|\bis it free\b/),
  r('apply_info', 'cos-e', 2.5, /\bcos e (il|la|un|una) (voucher|servizio|sad)\b|\bvoucher social\w*|\bcosa (bisogna|devo|serve|servono|si deve|ci vuole|occorre) (fare )?(per|a) \w+|\b(richiedere|chiedere|attivare) (il|l) (servizio|assistenza|voucher)\b|\biscri\w*/),
  r('apply_info', 'rinnovo', 3, /\brinnov\w* (la |il |l )?(domanda|voucher|servizio|richiesta|isee)\b/),
  r('apply_info', 'info', 2, /\b(info|informazion\w*)\b/),
  r('apply_info', 'ufficio-orari', 2, /\b(orari\w*|a che ora (e )?aperto|ufficio|servizi sociali|sportello)\b/),
  r('apply_info', 'apply-en', 3, /\bhow (do|can) (i|we|she|he|my \w+) (apply|get|request|sign up)\b|\bapply\b|\beligib\w*|\brequirements\b|\bwho can\b|\bhow does it work\b|\bhow much does it cost\b/),

  // report_person — a neighbour or caretaker reports someone in need (art. 4, ex officio).
  r('report_person', 'segnalare', 4, /\bsegnal\w*/),
  r('report_person', 'portiere', 3, /\b(portiere|portinai\w*|custode|caretaker|concierge)\b/),
  r('report_person', 'vicino', 2, /\b(vicin[oai]|inquilin\w*|condomin\w*|palazzo|stabile|pianerottolo|neighbou?rs?|upstairs|downstairs|next door|building)\b/),
  r('report_person', 'signora-del-piano', 3, /\b(signora|signore|signor|anzian[oa]|lady|man|woman) (del|dell|della|al|dal|nel|dello|on the|at) (\w+ )?(piano|interno|int|floor)\b|\b(del|al) (primo|secondo|terzo|quarto|quinto|sesto|ultimo|\d+) piano\b|\binterno \d+\b|\bint \d+\b/),
  // "la signora Ferri": a name after the title, not an ordinary word ("la signora sta male").
  r('report_person', 'signora-nome', 2, /\b(la )?(signora|signor|sig) (?!(sta|e|ha|non|che|del|dell|della|dello|al|di|mi|si|ci|vive|abita|anziana|anziano|sola|solo|qui|li|la|lo|le|era|fa|va|mia|mio|sua|suo|ha|aveva)\b)[a-z]{3,}\b|\bmrs? [a-z]+\b/),
  r('report_person', 'un-anziano', 1.5, /\b(un|una|un a|l|the|an) (anzian[oa]|old (man|woman|lady|person))\b|\bpersona anziana\b|\banziano solo\b/),
  r('report_person', 'posta', 3, /\bnon ritira (piu )?(la )?posta\b|\bposta accumulat\w*|\b(collected|picked up) (her|his|the) (mail|post)\b/),
  r('report_person', 'non-si-vede', 3, /\bnon (lo |la |l )?(vedo|vediamo|si vede|si e vist[oa]|ho vist[oa]) (piu )?da\b|\b(hasn t|has not|haven t) been seen\b|\bnot seen (her|him)\b/),
  r('report_person', 'non-esce', 2, /\bnon (esce|apre|risponde al (campanello|citofono|telefono))\b/),
  r('report_person', 'vive-solo', 2, /\bvive (da )?sol[oa]\b|\blives alone\b/),
  r('report_person', 'abbandonato', 1.5, /\b(non ha nessuno|nessuno (la|lo) aiuta|abbandonat\w*|confus\w*|sporchissim\w*)\b/),

  // talk_to_operator — wants a human.
  r('talk_to_operator', 'parlare-con', 4, /\b(parlare|parlo|parli|parlato) con (un |una |l |il |la |lo )?(operator\w*|persona|umano|qualcuno|assistente sociale|voi|responsabile)\b/),
  // "operatore" asked for by itself is the centrale's operator; "l'operatrice" is the home-care worker.
  r('talk_to_operator', 'voglio-operatore', 4, /\b(voglio|vorrei|chiedo|passatemi|mi passate|mi passi|c e|ce) (un |l |il )?operatore( umano| vero| per favore| subito)?$/),
  r('talk_to_operator', 'persona-vera', 4, /\b(operatore umano|persona vera|persona reale|essere umano|persona in carne)\b/),
  r('talk_to_operator', 'parlare-generico', 2.5, /\bparlare con\b|\ba voce\b|\bpassatemi\b/),
  r('talk_to_operator', 'chiamatemi', 3, /\b(mi|ci) (chiam(i|ate|ereste|erete|a)|richiam\w*|telefon(i|ate|ereste))\b|\b(chiamatemi|richiamatemi|telefonatemi|farmi richiamare|fate richiamare|fatemi richiamare)\b|\brichiamare\b/),
  r('talk_to_operator', 'contatto', 3, /\bin contatto con\b|\bcontattar\w* (un |l |la |il )?(operator\w*|assistente sociale|qualcuno|una persona)\b/),
  r('talk_to_operator', 'non-capisco', 3, /\bnon (ho )?capit\w*|\bnon capisco\b|\bsono confus\w*|\b(i m confused|don t understand)\b/),
  r('talk_to_operator', 'human-en', 4, /\b(human|real person|talk to (someone|somebody|a person)|speak (to|with) (someone|somebody|a person|an operator)|call me|call me back|operator)\b/),
  r('talk_to_operator', 'solo-aiuto', 3, /^(aiuto|help)( (per favore|please))?$/),
  // The carer is the provider's to change, through staff: a person, not the visit-moving flow.
  r('talk_to_operator', 'cambiare-operatrice', 3, /\b(cambi\w*|sostitu\w*) (l |la |il |un |una )?(operatric\w*|operator\w*|badante|assistente domiciliare)\b/),
  // A family assistant's own contract (Ana): not a chat matter, the social service advises.
  r('talk_to_operator', 'contratto', 3, /\bcontratt\w* (della |di |per la |come )?(badante|assistente familiare|lavoro)\b|\b(registrare|registro|registriamo|registra|mettere in regola|metto in regola|regolarizzare|regolarizzo) (il |un |la |mio |il mio |la mia )?(contratto|badante)\b|\b(register|record) (my|a|her|the|our) (regular |new )?(work |employment )?contract\b|\b(contract|employment) (for|of) (a |my |the )?(carer|caregiver|badante|family assistant)\b|\bfamily assistant\b/),
  r('talk_to_operator', 'un-operatore', 2.5, /\bun operatore\b|\b(mi|ci) (puo|potete|potreste|potrebbe|fate|fa) (ri)?chiamare\b/),

  // suspend_service — pause or stop the whole programme for a period (art. 13).
  r('suspend_service', 'sospendere', 4, /\b(sospen\w*|interromp\w*|interruzion\w*|rinunci\w*)\b/),
  r('suspend_service', 'fermare', 4, /\bferm\w* (il servizio|l assistenza|tutto|le visite)\b|\bdovete fermare\b/),
  r('suspend_service', 'ospedale', 3, /\b(vado|va|andro|andra|sono|e|entra|entro|resto|resta|sara|saro|finisce|ricoverat\w*) (\w+ )?(in|all) (ospedale|clinica)\b|\bricover\w*|\b(going to|in|into) (the )?hospital\b/),
  r('suspend_service', 'rsa', 3, /\b(casa di riposo|rsa|ospizio|struttura residenziale|nursing home|definitivamente)\b/),
  r('suspend_service', 'via-da-casa', 3, /\b(vado|sto|saro|staro|resto|andiamo|va|sta|sono|vado a stare) (in vacanza|al mare|in montagna|via|da (mio|mia) (figli[oa]|sorella|fratello|nipote|cugin[oa]))\b|\b(on holiday|on vacation|away for)\b/),
  r('suspend_service', 'periodo', 1.5, /\bper (una|due|tre|quattro|qualche|\d+) (settiman\w*|mes[ei]|giorni)\b|\bfor (a|one|two|three|\d+) (weeks?|months?)\b/),
  r('suspend_service', 'fino-a', 2, /\bfino (a|al|alla) (nuovo avviso|gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre|dicembre|fine|quando)\b|\bdal \d+ al \d+\b|\bper tutto (il mese|gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre|ottobre|novembre|dicembre)\b|\bper ora niente\b/),
  r('suspend_service', 'non-piu', 4, /\bnon (venite|venga|mandate \w+) piu\b|\bnon (voglio|vogliamo) piu (il servizio|l assistenza|nessuno|l operatrice|le visite)\b/),
  r('suspend_service', 'deceduto', 4, /\b(mort[oa]|decedut[oa]|defunt\w*|e mancat[oa]|died|passed away)\b/),
  r('suspend_service', 'suspend-en', 4, /\b(suspend|pause|stop the (service|visits))\b/),

  // cancel_booking — one visit: cancel, move, postpone.
  r('cancel_booking', 'annullare', 4, /\b(annull\w*|disdi\w*|disdett\w*|cancell\w*)\b/),
  r('cancel_booking', 'spostare', 4, /\b(spost\w*|cambi\w*) (l |la |il |lo )?(appuntamento|visita|intervento|incontro|spesa|bagno|orario|giorno)\b|\bspost\w* (l |la )?operatrice\b|\b(rimand\w*|rinvi\w*|posticip\w*)\b|\banticip\w* (l |la |il |lo )?(appuntamento|visita|intervento|operatrice)\b/),
  r('cancel_booking', 'giorno-non-venite', 3, /\b(oggi|domani|dopodomani|lunedi|martedi|mercoledi|giovedi|venerdi|sabato|domenica|stamattina|stasera|pomeriggio|mattina) (\w+ ){0,3}non (venite|venga|serve|ci sono|sono in casa|mandate|ci sara)\b/),
  r('cancel_booking', 'non-venite', 2.5, /\bnon (venite|venga|mandate nessuno|ci sono)\b/),
  r('cancel_booking', 'non-serve-piu', 2, /\bnon serve piu\b/),
  r('cancel_booking', 'appuntamento', 1, /\bappuntament\w*/),
  r('cancel_booking', 'cancel-en', 4, /\b(cancel|reschedule|call off|postpone)\b|\bmove (the |my |our |her |his )?((mon|tues|wednes|thurs|fri|satur|sun)day s |next |tomorrow s |today s )?(visit|appointment)\b|\bdon t come (today|tomorrow)\b/),

  // providers — accredited cooperatives to choose from (art. 10).
  r('providers', 'cooperativa', 3, /\b(cooperativ\w*|coop)\b/),
  r('providers', 'accreditati', 3, /\baccreditat\w*|\b(fornitor\w*|erogator\w*|enti|agenzi\w*)\b|\bcambiare (l )?ente\b/),
  r('providers', 'chi-fa-servizio', 3, /\bchi (fa|fornisce|eroga|svolge) (il servizio|l assistenza)\b/),
  r('providers', 'scegliere', 1.5, /\b(scegliere|cambiare|elenco)\b/),
  r('providers', 'providers-en', 3, /\b(providers?|agenc(y|ies)|compan(y|ies)|cooperatives?|accredited)\b/),

  // complaint — something went wrong with the service.
  r('complaint', 'reclamo', 4, /\b(reclam\w*|lamentar\w*|lamentel\w*|mi lamento|protest\w*)\b/),
  r('complaint', 'non-venuto', 4, /\bnon (e|sono) (\w+ )?(venut[oaie]|arrivat[oaie]|passat[oaie])\b|\bnessuno (si )?(e )?(venut|arrivat|presentat|passat)\w*/),
  r('complaint', 'ritardo', 3, /\bin ritardo\b|\bdi ritardo\b|\britardo\b/),
  r('complaint', 'maleducato', 4, /\b(maleducat\w*|scortes\w*|sgarbat\w*|maltrat\w*|trattat\w* male|offes\w*|urlat\w*)\b/),
  r('complaint', 'pessimo', 3, /\b(pessim\w*|vergogna|schifo|inaccettabil\w*|malissimo|indecente|scandal\w*)\b/),
  r('complaint', 'insoddisfatto', 4, /\binsoddisfatt\w*|\bnon (sono|siamo) (per niente |affatto )?(soddisfatt\w*|content\w*)\b/),
  r('complaint', 'non-fatto', 3, /\bnon (hanno|ha) fatto (niente|nulla|il|la|quello)\b|\bnon (e )?stato fatto\b/),
  r('complaint', 'danno', 3, /\b(operatric\w*|operator\w*|ragazza|ragazzo|signora che viene) .{0,30}\b(rott[oa]|rubat[oa]|rubato|pers[oa]|sporcat[oa]|dimenticat[oa]|urlat[oa]|sgridat[oa]|trattat[oa] male)\b/),
  r('complaint', 'puntualita', 3, /\bnon (e|sono) (mai |per niente |quasi mai )?puntual\w*|\b(arriv(a|ano)|vien(e|ono)) (sempre |spesso |ogni volta )?(tardi|in ritardo)\b|\b(se ne )?(va|vanno) via (sempre )?(prima|in anticipo|dopo (poco|mezz ora|dieci minuti))\b/),
  r('complaint', 'lavoro-male', 3, /\b(non pulisc(e|ono)|pulisc(e|ono) male|lavor(a|ano) male|fa (tutto )?male (il|i|le) \w+|non fa (niente|nulla))\b/),
  r('complaint', 'arrabbiato', 3, /\b(arrabbiat\w*|delus[oa]|non va bene|non e giusto|inammissibil\w*)\b/),
  r('complaint', 'aspetto-da', 2, /\baspett\w* da\b/),
  r('complaint', 'complaint-en', 4, /\b(complain\w*|didn t (show|come|turn up)|no one came|nobody came|late again|was late|rude|terrible|not happy)\b/),

  // request_help — a need for an art. 7 service or for help at home in general.
  r('request_help', 'bisogno', 1.5, /\b(ho|ha|abbiamo|avrei|avrebbe|hanno) bisogno\b|\b(mi|le|gli|ci) serv\w*|\bserv\w* (aiuto|qualcuno|una persona|una mano|l aiuto)\b|\b(vorrei|cerco|chiedo) (aiuto|qualcuno|una persona|un aiuto|una mano|l operatrice)\b|\buna mano\b|\bqualcuno (che|per|x)\b|\b(potete|puo) (mandare|venire)\b|\bmandate qualcuno\b|\bchi (mi|gli|le|la|lo) (\w+ )?(fa|porta|accompagna|aiuta|taglia|lava)\b|\bmi accompagn\w*/),
  r('request_help', 'aiuto-in-casa', 1.5, /\b(cerco|serve|vorrei|bisogno di|trovare) (una |un )?(badante|assistente familiare|carer|caregiver)\b|\b(aiuto|assistenza|help|care) (in casa|a casa|a domicilio|domiciliare|at home)\b|\bassistenza domiciliare\b|\bhome (help|care)\b/),
  r('request_help', 'non-riesco', 1.5, /\bnon (posso|possiamo) (lasciar\w*|stare)\b|\bnon (riesc\w*|ce la fa\w*)\b(?! (piu )?(a |ad )?(pagare|capire|leggere|scrivere|trovare|entrare|accedere))|\bdiventat[oa] impossibile\b|\b(can t|cannot) (cook|walk|wash|clean|get)\b/),
  r('request_help', 'need-help-en', 1.5, /\b(need|needs) (help|someone|meals|a carer)\b|\b(can|could) (someone|you) (help|do|send|come)\b|\bsend someone\b|\bsomeone to\b|\bhelp (me|my|with)\b/),
];

/**
 * Opening greetings, thanks and goodbyes, after an optional "ok", "va bene", "sì"… ("va bene, grazie"
 * closes many chats); they decide the intent only when nothing else does.
 */
export const GREETING = /^((ehi|ei|hey|oh|ok|okay|allora|va bene|bene|benissimo|perfetto|si|d accordo|ho capito|capito) )?(ciao|salve|buongiorno|buonasera|buon pomeriggio|buona sera|buona giornata|buonanotte|buondi|hello|hi|hey|good (morning|afternoon|evening)|grazie|thanks|thank you|arrivederci|bye)\b/;

/**
 * Fear, loneliness, despair, said without a request ("sono sola e ho paura"): no intent of its own,
 * but never to be answered with "non ho capito". Real danger is the emergency detector's.
 */
export const DISTRESS =
  /\b(ho (tanta |molta )?paura|mi sento (tanto |molto |cosi )?(sola|solo|triste|abbandonata|abbandonato|disperata|disperato|male)|sono (tanto |molto |cosi )?(triste|disperata|disperato|depressa|depresso|abbandonata|abbandonato)|non ce la faccio piu|non so (piu )?(cosa|come) fare|nessuno mi (aiuta|ascolta|cerca)|non ho (piu )?nessuno|sono sola e|sono solo e|piango|i am (scared|afraid|lonely)|i feel (lonely|alone|scared))\b/;

/**
 * A theft or a scam already suffered ("mi hanno rubato la borsa", "mia mamma è stata truffata"):
 * not an emergency by itself (a thief in the house is, see emergency.ts), but never "non ho capito".
 */
export const VICTIM =
  /\b((mi|ci|le|gli|l) hanno (appena |gia |ancora |di nuovo )?(rubato|portato via (la borsa|il portafoglio|i soldi)|(derubat|scippat|truffat|imbrogliat)[oaie])|(sono|e|siamo) (appena )?stat[oaie] (derubat|scippat|truffat|imbrogliat)[oaie]|ho subito un furto|i (was|have been) (robbed|scammed))\b/;

/** A death told ("mio marito è morto", "la mamma è venuta a mancare"): condolences and a person, never "non ho capito". */
export const BEREAVED =
  /\b((e|sono) (appena |purtroppo )?(mort[oa]|mancat[oa]|decedut[oa]|scompars[oa])|(e|sono) venut[oa] a mancare|ho perso (mio |mia |il mio |la mia )?(marito|moglie|madre|mamma|padre|papa|figlio|figlia|fratello|sorella|compagno|compagna)|(sono|e|rimast[oa]) (da poco |appena |purtroppo )?vedov[oa]|lutto|funerale|(passed away|died|widowed))\b/;

/** "Avvisatemi quando cambia qualcosa": the writer asks to be told of changes (answered by how notices reach them). */
export const NOTIFY_ME =
  /\b(avvisatemi|avvisami|avvisarmi|avvisarla|mi avvisate|mi avvisa|mi avviserete|mi avvisera|essere (avvisata|avvisato|avvisati|informata|informato|informati)|fatemi sapere|mi fate sapere|mi farete sapere|notifiche|let me know|notify me|keep me (posted|informed|updated)|be (notified|told))\b/;

/** A new address or telephone number: staff keep a person's details, so a person is offered. */
export const NEW_DETAILS =
  /\b(ho cambiato (casa|indirizzo|numero|telefono|cellulare)|(cambio|cambiato) (di |l )?(indirizzo|residenza|numero di telefono)|mi sono trasferit[oa]|(ci|mi) trasferisc\w*|trasloc\w*|(nuovo|altro) (indirizzo|numero di telefono|numero di cellulare)|(moved house|new address|new (phone )?number))\b/;

/** Home again after hospital, or asking for the visits to start again after a suspension. */
export const BACK_HOME =
  /\b((sono|e|siamo) (appena )?(tornat|rientrat)[oaie] (a casa|dall ospedale|dalla clinica|dal ricovero|dalla riabilitazione)|(mi|l|la|lo|ci) hanno dimess[oaie]|(sono|e) stat[oa] dimess[oa]|(riprendere|riattivare|far ripartire|ricominciare|riavere) (il servizio|l assistenza|le visite|il voucher)|(back home|home again) (from|after) (the )?hospital)\b/;

/** Asking for more voucher hours: a new assessment by the assistente sociale, not something the chat decides. */
export const MORE_HOURS = /\b(piu ore|altre ore|ore in piu|aument\w* (le |delle )?ore|more hours)\b/;

/** What a greeting word says: hello, thank you or goodbye (the word is GREETING's third group). */
export function greetingKind(word: string): 'hello' | 'thanks' | 'goodbye' {
  if (/^(grazie|thanks|thank you)$/.test(word)) return 'thanks';
  if (/^(arrivederci|bye|buonanotte|buona giornata)$/.test(word)) return 'goodbye';
  return 'hello';
}

export interface IntentScores {
  scores: Map<Intent, number>;
  /** "intent:rule" for every rule that fired. */
  signals: string[];
  /** Whether any rule of weight ≥ STRONG_CUE fired. */
  strongCue: boolean;
}

/** Sums the weights of the rules that fire on the normalised text. */
export function scoreIntents(text: string): IntentScores {
  const scores = new Map<Intent, number>();
  const signals: string[] = [];
  let strongCue = false;
  for (const rule of INTENT_RULES) {
    if (!rule.pattern.test(text)) continue;
    scores.set(rule.intent, (scores.get(rule.intent) ?? 0) + rule.weight);
    signals.push(`${rule.intent}:${rule.id}`);
    if (rule.weight >= STRONG_CUE) strongCue = true;
  }
  return { scores, signals, strongCue };
}
