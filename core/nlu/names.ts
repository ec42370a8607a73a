// Common first names, surnames and places of the people who write to centrale (older Lombards, their
// families, carers from abroad), in the normalised form (lower case, no accents). The spelling
// corrector leaves them alone: "sono Laura" must not become "sono ladra" (an intruder alarm),
// "Marta" not "morta", "Mario" not "marito". A name that is also an everyday word needs no entry.
const FIRST_NAMES = `
maria anna giuseppina rosa angela giovanna teresa lucia carmela caterina francesca antonietta
carla elena concetta rita margherita franca paola laura luisa giovanni giuseppe antonio mario
luigi francesco angelo vincenzo pietro salvatore carlo franco domenico bruno paolo michele
giorgio aldo sergio luciano roberto alberto enrico ernesto renato walter gianni claudio marco
andrea luca alessandro matteo stefano davide simone federico lorenzo riccardo fabio massimo
daniele emanuele gabriele tommaso sara giulia chiara alessandra valentina silvia federica elisa
martina giorgia alice sofia aurora ginevra beatrice emma greta marta irene ilaria monica barbara
cristina daniela patrizia roberta sabrina simona tiziana elisabetta donatella graziella marisa
mirella nadia ornella piera pina rina tina lina gina nella bianca vittoria adele agnese
albertina amalia assunta bice clara dina edda elsa emilia enrica ester eugenia fernanda gemma
gilda giuliana iolanda irma jole lidia liliana livia loredana luciana maddalena marcella
mariuccia marina nives norma olga pierina renata rosanna rosella sandra serena silvana susanna
tilde vanda wanda maura lara mara dora nora pia rosalba rosaria rosetta santina vittorio
umberto guido gino nino dino lino rino tino pino beppe peppino tonino nando fausto ferruccio
gastone giacomo girolamo lelio mauro nello oreste osvaldo piero remo rolando sandro silvio
tullio ubaldo valerio virgilio ercole achille amedeo armando arturo attilio augusto battista
benito carmelo cesare dario edoardo egidio elio emilio ettore ezio felice filippo gaetano
gianfranco gianluca giancarlo giampiero giordano ignazio italo leonardo lucio marcello mariano
marino natale nicola orlando ottavio pasquale raffaele rocco rodolfo rosario severino
teodoro ugo valter adriana alba alda annamaria antonella anita bruna carolina cinzia cornelia
delia edvige elda elvira emma enza erminia ersilia fiorella flora gabriella germana gisella
ines isabella lella licia lisa luigia manuela mariangela marilena marisa mirella natalina
nicoletta noemi ofelia orsola palmira raffaella rachele ramona romana rosalia rossana silvana
stella teodora ursula vilma viola virginia zaira
ana ion ioana andreea mihaela florin gheorghe vasile mihai elena natalia olena oksana svetlana
tatiana irina lyudmila galina halyna nadia olga viktoria larisa ahmed mohamed mohammed fatima
amina khadija youssef karim hassan omar ali aisha samira rosa jessica maricel rowena jocelyn
`;

const SURNAMES = `
rossi russo ferrari esposito bianchi romano colombo ricci marino greco bruno gallo conti
mancini costa giordano rizzo lombardi moretti barbieri fontana santoro mariani rinaldi caruso
ferrara galli martini leone longo gentile martinelli vitale lombardo serra coppola marchetti
parisi villa conte ferraro ferri fabbri bianco marini grasso valentini messina sala gatti
pellegrini palumbo sanna farina rizzi monti cattaneo morelli amato silvestri mazza grassi
pellegrino carbone giuliani benedetti barone rossetti caputo montanari guerra palmieri bernardi
martino fiore ferretti bellini basile riva donati piras vitali battaglia sartori neri
costantini milani pagano ruggiero sorrentino orlando negri brambilla riva sironi mauri
cavalli crippa fumagalli galbiati longoni mapelli meroni pirovano ronchi sangalli villa zanetti
`;

// The comuni of the Abbiatense and the towns around it: "Motta Visconti" must not read "morta".
const PLACES = `
abbiategrasso albairate besate bubbiano calvignasco cassinetta lugagnano cisliano gaggiano gudo
visconti morimondo motta ozzero rosate vermezzo zelo milano magenta vigevano corsico robecco
pavia binasco casorate trezzano buccinasco cesano boscone rho legnano
`;

/** Normalised names the corrector must not rewrite. */
export const KNOWN_NAMES: ReadonlySet<string> = new Set(`${FIRST_NAMES} ${SURNAMES} ${PLACES}`.split(/\s+/).filter((w) => w !== ''));
