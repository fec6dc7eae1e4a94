/**
 * Rule-based toxicity classifier for messages between two peers. It withholds what hurts the other
 * person — insults aimed at them, harassment, sexual demands, threats, hate — and lets through the
 * swearing people use about their own life («меня всё з*ебало»), insults they quote («муж называл меня
 * дурой»), self-talk («я чувствую себя тупой») and talk about words.
 *
 * Severity: 0 clean or mild words («блин», «хрен»); 1 strong obscenity (мат) not aimed at anyone, labelled
 * `obscene` and delivered; 2 insult or harassment aimed at the
 * interlocutor; 3 threats, hate with violence, sexual demands, urging the other to kill themselves.
 * `toxic` is `severity >= 2`.
 */

import { normalize } from "./normalize.ts";
import {
  clausesOf,
  isInside,
  phrase,
  quotedSpans,
  sentencesOf,
  tokenSet,
  type Word,
  wordsOf,
} from "./text.ts";

export type ToxicityLabel = "insult" | "obscene" | "harassment" | "sexual_demand" | "threat" | "hate";

export interface ToxicityResult {
  toxic: boolean;
  severity: 0 | 1 | 2 | 3;
  labels: string[];
}

/** Words that insult a person. Stems with Russian case endings. */
const INSULT = tokenSet(
  [
    "дур(а|ы|е|у|ой|ою|ында|еха|ех[иу]|оч?к[аиеуо]й?)",
    "дурак(|а|у|ом|е|и|ов|ам|ами)",
    "дурищ[аеиуй]",
    "идиот(|а|у|ом|е|ы|ов|ам|ами|ка|ки|ке|ку|кой|ина|ины|ище)",
    "д[еи]бил\\p{L}*",
    "дегенерат\\p{L}*",
    "бестолоч(ь|и|ью|ей)",
    "шмар(а|ы|е|у|ой)",
    "курв(а|ы|е|у|ой)",
    "психичк(а|и|е|у|ой)",
    "псих(|а|у|ом|и|ов)",
    "шизик(|а|у|ом|и|ов)",
    "неадекват(|а|у|ом|ы|ка|ки|ке|ку|кой)",
    "безмозгл\\p{L}+",
    "криворук\\p{L}+",
    "тупоголов\\p{L}+",
    "безголов\\p{L}+",
    "слабоумн\\p{L}+",
    "сучар(а|ы|е|у|ой)",
    "слаба(к|ка|ку|ком|ки)|слабачк(а|и|е|у|ой)",
    "нытик(|а|у|ом|и)|нытичк(а|и|е|у|ой)",
    "плакс(а|ы|е|у|ой)",
    "кретин(|а|у|ом|е|ы|ов|ка|ки|ке|ку|кой)",
    "имбецил(|а|у|ом|е|ы|ов|ка|ки)",
    "олигофрен(|а|у|ом|ы|ка)",
    "придур(ок|ка|ку|ком|ке|ки|ков|очн\\p{L}*)",
    "недоум(ок|ка|ку|ком|ки|ков)",
    "долб[оа](еб|ящер)\\p{L}*",
    "психопат(|а|у|ом|ы|ов|ка|ки|ке|ку|кой)",
    "социопат(|а|у|ом|ы|ов|ка|ки|ке|ку|кой)",
    "позорищ(е|а|у|ем)",
    "убожеств(о|а|у|ом)",
    "отброс(|ы|ов)",
    "отребь(е|я)",
    "муда(к|ка|ку|ком|ки|ков|чье|чина)",
    "мудил[аоуыей]\\p{L}*",
    "мраз(ь|и|ью|ота|оты)",
    "твар(ь|и|ью|ей)",
    "чмо\\p{L}*",
    "чмошни\\p{L}*",
    "ничтожеств(о|а|у|ом)",
    "ублюд(ок|ка|ку|ком|ки|ков|ина)",
    "урод(|а|у|ом|ы|ов|ина|ины|ине|ину|иной|ец|ка)",
    "скотин(а|ы|е|у|ой)",
    "сволоч(ь|и|ью|ей)",
    "гнид(а|ы|е|у|ой)",
    "падл(а|ы|е|у|ой)",
    "шлюх(а|и|е|у|ой)",
    "шалав(а|ы|е|у|ой)",
    "проститутк(а|и|е|у|ой)",
    "потаскух(а|и|е|у|ой)",
    "сучк(а|и|е|у|ой)",
    "сукин",
    "овц(а|ы|е|у|ой)",
    "коров(а|ы|е|у|ой)",
    "свинь(я|и|ю|ей)",
    "козе?л(|а|у|ом|ы|ов|ина)",
    "тряпк(а|и|е|у|ой)",
    "истеричк(а|и|е|у|ой)",
    "неудачни(к|ка|ку|ком|ки|ков|ца|цы|це|цу|цей)",
    "лох(|а|у|ом|и|ов|ушка)",
    "лошар(а|ы|е|у|ой)",
    "быдл(о|а|у|ом)",
    "ебанат(|а|у|ом|ы|ка|ки)",
    "е?бану(т|тый|тая|тое|тые|того|тую|тым|той)",
    "ебнут(ый|ая|ое|ые|ого|ую|ым|ой)",
    "конченн?(ый|ая|ое|ые|ого|ую|ым|ой|ая)",
    "пиздабол\\p{L}*",
    "пиздобол\\p{L}*",
    "уеб(ок|ка|ку|ком|ки|ище|ан|ана|аны)",
    "ушлеп(ок|ка|ку|ки)",
    "засран(ец|ца|цу|цем|цы|ка|ки|ку)",
    "зануд(а|ы|е|у|ой)",
    "жирдя(й|я|ю|ем|и)",
    "жирух(а|и|е|у|ой)",
    "тупиц(а|ы|е|у|ей)",
    "тупорыл\\p{L}*",
    "туп(ой|ая|ое|ые|ого|ую|ым|ыми|ых|ом)",
    "глуп(ая|ый|ые|ую)",
    "бездар(ь|и|ью|ность)",
    // Evaluative adjectives: insults only when said to «ты» or in a bare vocative.
    "жалк(ий|ая|ое|ие|ого|ую|ой|им)",
    "убог(ий|ая|ое|ие|ого|ую|ой)",
    "никчемн(ый|ая|ое|ые|ого|ую|ой)",
    "мерзк(ий|ая|ое|ие|ого|ую|ой)",
    "омерзительн(ый|ая|ое|ые)",
    "отвратительн(ый|ая|ые)",
    "противн(ый|ая|ые)",
    "жирн(ый|ая|ые)",
    "уродлив(ый|ая|ые)",
    "больн(ой|ая|ые)",
    "ненормальн(ый|ая|ые)",
    "неадекватн(ый|ая|ые)",
    "выродо?к(|а|у|ом|и)",
    "гандон(|а|у|ом|ы)",
    "пидор(|а|у|ом|ы|ов|ас|асина|ка)",
    "пидар(|а|у|ом|ы|ов|ас)",
    "педик(|а|у|ом|и|ов)",
  ].join("|"),
);

/**
 * Animal nouns used as insults («курица», «баран»): ordinary words too («купила курицу»), so only the
 * nominative counts, and only next to «ты/вы» or an insulting adjective («ты т*пая курица»,
 * «безмозглый ты баран»), or as a bare vocative.
 */
const ANIMAL_INSULT = tokenSet(
  "куриц(а|ы)|баран(|ы)|осел|ослы|ослина|ишак(|и)|дятел|дятлы|обезьян(а|ы)|крыс(а|ы)|змея|змеюка|гадюк(а|и)|индюк(|и)|бревно|животное|клуша|курятина",
);
const YOU_NOMINATIVE = tokenSet("ты|вы");

/** Insult words that double as interjections («сука, опять автобус ушёл») or everyday nouns. */
const AMBIGUOUS_INSULT = tokenSet("сук(а|и|у|ой|е)|бля(дь|ть)?|блядина");

/** Strong obscene vocabulary (мат). */
const OBSCENE = tokenSet(
  [
    "(на|по|ни|о|от|за|вы|рас|до)?ху[йяюеёи]\\p{L}*",
    "\\p{L}*пизд\\p{L}*",
    "\\p{L}*пезд\\p{L}*",
    "(за|вы|отъ|от|на|про|до|у|съ|по|разъ|раз|подъ|въ|при|пере|недо|долбо)?е[бп]\\p{L}*",
    "бля(|дь|ть|ха|дина|дск\\p{L}*|ди|дям)",
    "сук(а|и|у|ой|е)",
    "муда(к|ка|ки)",
    "залуп\\p{L}*",
    "манд(а|ы|у|ой|е)",
    "гандон\\p{L}*",
    "шлюх\\p{L}*",
    "охуе\\p{L}*",
  ].join("|"),
);
/** Obscene words that are compliments or intensifiers, not aimed at anyone. */
const POSITIVE_OBSCENE = tokenSet("охуе?нн\\p{L}*|охуительн\\p{L}*|заебись|пиздат\\p{L}*|ахуе?нн\\p{L}*");
/** The «е[бп]…» stem would catch ordinary words: «еда» is safe, these are not obscene either. */
const NOT_OBSCENE = tokenSet(
  "ее|ей|еще|ему|епархи\\p{L}*|епископ\\p{L}*|ерунд\\p{L}*|ебург\\p{L}*|ездить|еп",
);
/** Mild swearing: always delivered and not even labelled; listed so masked forms resolve. */
const MILD = tokenSet(
  "блин|черт\\p{L}*|хрен\\p{L}*|хер|херн\\p{L}*|нахер|фиг\\p{L}*|нафиг|жоп\\p{L}*|говн\\p{L}*|дерьм\\p{L}*|капец|офиге\\p{L}*|охрене\\p{L}*|задолба\\p{L}*|епт|епта|епрст|ешкин|херов\\p{L}*|фигн\\p{L}*|срань|дрян\\p{L}*|охренен\\p{L}*",
);

const SECOND_PERSON = tokenSet(
  "ты|тебя|тебе|тобой|тобою|твой|твоя|твое|твои|твоего|твоей|твоему|твоим|твою|твоих|вы|вас|вам|вами|ваш|ваша|ваше|ваши|вашего|вашей|вашим|вашу",
);
const FIRST_PERSON = tokenSet("я|меня|мне|мной|мною|себя|себе|собой|сама|сам|сами|мы|нас|нам");
/** Words that may stand next to an insult in a vocative («ну ты и дура», «тупая тварь»). */
const VOCATIVE_FILLER = tokenSet(
  "ну|же|и|а|да|вот|просто|то|совсем|что|ли|чтоли|штоли|прям|прямо|кусок|моральный|моральная|такой|такая|такое|какой|какая|какое|полный|полная|полное|настоящий|настоящая|жалкий|жалкая|жалкое|старый|старая|жирный|жирная|грязный|грязная|мерзкий|мерзкая|вонючий|вонючая|противный|противная|больной|больная|блин|эй|слышь|ох|ах|господи|уже|еще|тоже|реально|вообще|чертов|чертова|редкостный|редкостная|конченый|конченая|ебаный|ебаная|ебучий|ебучая|сраный|сраная|гребаный|гребаная|тупой|тупая|глупый|глупая|ты|вы|мелкий|мелкая|маленький|маленькая|пошлый|пошлая|самый|самая|последний|последняя|хватит|так|все|иди|отвали|отстань|отъебись|заткнись|читать|научись|ныть|бред|нести",
);
/** A second-person imperative that shows the message is addressed to the reader. */
const IMPERATIVE_2ND = tokenSet(
  "отстань|отвали|отвянь|заткнись|заткнитесь|иди|идите|пошел|пошла|пошли|катись|вали|свали|уйди|исчезни|закрой|завали|научись|отъебись|съебись|сдохни|слышь|уймись|успокойся",
);
/** Past or present verbs of reporting someone else's words: what follows is quoted, not said. */
const REPORTING = tokenSet(
  "(на|об|по)?зва(л|ла|ли)|зовет|зовут|называ\\p{L}*|назва(л|ла|ли)|обзыва\\p{L}*|обозва(л|ла|ли)|говори(л|ла|ли|т)|говоря(т)?|сказа(л|ла|ли)|тверди(л|ла|ли|т)|крича(л|ла|ли|т)|крикну(л|ла|ли)|ора(л|ла|ли)|наора(л|ла|ли)|писа(л|ла|ли)|написа(л|ла|ли)|пишут|пише(т)|дразни(л|ла|ли)|дразнят|оскорбля(л|ла|ли|ет)|оскорби(л|ла|ли)|угрожа(л|ла|ли|ет)|требова(л|ла|ли)|повторя(л|ла|ли|ет)|обвиня(л|ла|ли|ет)|шипе(л|ла)|слыш(ала|ал|у)|считал|считала|считает|прислал|прислала|присылал|присылала",
);
const NEGATION = tokenSet("не|ни|нисколько|вовсе");
const SLUR = tokenSet(
  "хач(|и|ей|ам|ами|ах|а|у|ом|ик|ики)|чурк(а|и|е|у|ой|ам|ами|ах)|чурбан(ы|ов)|жид(|а|ы|у|ом|ов|ам|ами|ах|овка|овки|яра|яры|овня)|пидор(|а|у|ом|ы|ов|ас|асы)|пидар(|а|у|ом|ы|ов|ас)|пидр(|ы|ов|ила)|педик(|и|ов)|гомик(|и|ов)|нигг?ер(|ы|ов)|негритос(|ы|ов)|хохл(ы|ов|ам|ами|а|у)|хохол|москал(ь|и|ей|я)|кацап(|ы|ов)|чучмек(|и|ов)|узкоглаз\\p{L}*|черножоп\\p{L}*|чернож(опые|опых)",
);
const GROUP = tokenSet(
  "бабы|баб|бабье|женщины|телки|мужики|мужчины|мужиков|евреи|русские|украинцы|кавказцы|таджики|узбеки|киргизы|мусульмане|геи|лесбиянки|цыгане|чеченцы|азиаты|эмигранты|мигранты|приезжие|армяне|грузины|американцы|верующие|атеисты|инвалиды|феминистки|разведенки|разведенные",
);

// Phrase rules run on sentences with quoted text blanked out.
const RUDE_IMPERATIVE = phrase(
  [
    "(иди|идите|пошел|пошла|пошли|катись|катитесь|вали|валите)( ты| вы)?( на| в| к)? (хуй|хер|хрен|нахуй|нахер|нахрен|нах|жопу|пизду|черту|фиг|нафиг|баню|сраку)",
    "(пошел|пошла|пошли|иди) (ты|вы)",
    "(заткнись|заткнитесь|отъебись|отъебитесь|съебись|съебитесь|отсоси|отсосите|завались)",
    "(закрой|закройте|завали|завалите|захлопни|заткни) (свой |свою |свое )?(рот|пасть|хлебало|ебало|ебальник|варежку|хайло|ротик|помойку)",
  ].join("|"),
);
const INSULT_PHRASE = phrase(
  [
    "(у тебя|у вас) (\\p{L}+ ){0,2}(мозгов|мозга|ума|мозги) (нет|не)",
    "(у тебя|у вас) (\\p{L}+ ){0,2}(мозги|мозг|ум) (\\p{L}+ )?(есть|имеется)",
    "(ты|вы) (\\p{L}+ )?без (мозгов|мозга)",
    "(ты|вы) (\\p{L}+ )?(больной|больная|больные|ебнутый|ебнутая) на (всю )?(голову|башку)",
    "(ты|вы) (\\p{L}+ )?никто",
    "звать (тебя|вас) никак",
    "(ты|вы) (\\p{L}+ )?пустое место",
    "(ты|вы) (\\p{L}+ )?(ничего не стоишь|никому не нужна|никому не нужен)",
    "(ты|вы) (\\p{L}+ )?(кусок|куча|мешок|комок) (\\p{L}+ )?(дерьма|говна|мяса|сала|навоза|мусора)",
    "(у тебя|у вас) (\\p{L}+ ){0,2}вместо (мозгов|мозга|головы|башки)",
  ].join("|"),
);
const URGE_SELF_HARM = phrase(
  "убей себя|убейся|убейтесь|выпились|выпились|самовыпились|повесься|повесьтесь|сдохни|сдохните|вскройся|вскройтесь|умри|(выпрыгни|выйди) (в|из) окн[оа]|иди (повесься|убейся|сдохни|вешайся)|вешайся|режь себя",
);
const HARM_VERB =
  "оторву|откручу|сломаю|разобью|выбью|набью|вырву|размажу|проломлю|убью|урою|зарежу|порежу|прибью|закопаю|задушу|изобью|покалечу|уничтожу|пристрелю|застрелю|сожгу|вычислю|достану|сверну|отпизжу|уебу|въебу|грохну|замочу|порву|разорву|урою|придушу|отрежу|изуродую|прикончу|найду";
const THREAT = phrase(
  [
    `(тебя|вас|тебе|вам)( \\p{L}+){0,3} (${HARM_VERB})`,
    `(${HARM_VERB})( \\p{L}+){0,3} (тебя|вас|тебе|вам)`,
    "(тебе|вам) (не жить|конец|хана|кранты|пиздец|крышка|капец|не поздоровится|не жилец|недолго осталось)",
    "кровью (умоешься|умоетесь|харкать)",
    "(знаю|узнаю|выясню|найду)( и)? где (ты|вы) (живешь|живете|работаешь|учишься)",
    "жди гостей|ходи и оглядывайся|(ты|вы) (\\p{L}+ )?(труп|покойник|покойница)",
    "(чтоб|чтобы) (ты|вы) (\\p{L}+ )?(сдох\\p{L}*|подох\\p{L}*|сгорел\\p{L}*|сгнил\\p{L}*|умер\\p{L}*|сдыхал\\p{L}*)",
    "(ты|вы) (\\p{L}+ )?(сдохнешь|подохнешь|сгниешь|пожалеешь|пожалеете|сдохнете)",
    "(бы|б) (ты|вы) (\\p{L}+ )?(сдох\\p{L}*|умер\\p{L}*|подох\\p{L}*|сгорел\\p{L}*|сгнил\\p{L}*)",
    `\\p{L}+(ешься|ишься|ешь|ишь) (\\p{L}+ ){0,2}(${HARM_VERB})`,
    "(таких|вас|вы) (\\p{L}+ ){0,2}(надо|нужно|следует|пора) (\\p{L}+ )?(расстреливать|расстрелять|убивать|убить|вешать|повесить|сжечь|сжигать|резать|давить|мочить|травить)",
  ].join("|"),
);
const VIOLENT_WISH = phrase(
  "(должны|надо|нужно|пора|следует|чтоб|чтобы) (\\p{L}+ )?(сдохнуть|сдохли|подохнуть|гореть|сжечь|сгореть|убить|убивать|расстрел\\p{L}*|вешать|перевешать|истребить|уничтожить|вырезать|гнать|выгнать|депортировать)|(убираться|убраться|валить|свалить|выметаться|катиться|уезжать) (\\p{L}+ )?(из страны|отсюда|домой|к себе|из россии|из города)|понаехали|понаехавшие|житья от (вас|них) нет|(убирайтесь|валите) (к себе|домой|отсюда)",
);
const SEXUAL_IMPERATIVE = phrase(
  "кинь|киньте|закинь|закиньте|вышли|вышлите|скинь|скиньте|скидывай|пришли|пришлите|присылай|отправь|отправьте|покажи|покажите|показывай|сфоткай|сфоткайся|сними|снимись|разденься|раздевайся|раздевайтесь|дай|давай|хочу|можно",
);
const SEXUAL_OBJECT = phrase(
  "голая|голой|голую|голые|голых|голенькая|голенькую|обнаженн\\p{L}*|без одежды|без трусов|без белья|без лифчика|в белье|в трусах|в трусиках|в нижнем белье|в купальнике|нюдс\\p{L}*|нюдсы|нюдес\\p{L}*|нюды|интим\\p{L}*|сиськ\\p{L}*|сисек|сисечк\\p{L}*|сиси|титьк\\p{L}*|титек|попок|ляжк\\p{L}*|задниц\\p{L}*|голышом|нагишом|грудь|груди|попку|попочку|киск\\p{L}*|член\\p{L}*|письк\\p{L}*|соски|сосочки|эротик\\p{L}*|порно\\p{L}*|ножки|себя голой|секс\\p{L}*|трахн\\p{L}*|переспать|переспим|отсос\\p{L}*|минет\\p{L}*|вирт\\p{L}*",
);
const SEXUAL_PROPOSITION = phrase(
  [
    "(хочу|хочется|мечтаю|буду|давай) (\\p{L}+ ){0,2}(тебя|твою|твои|твой|твое|с тобой|тебе) (\\p{L}+ ){0,2}(раздеть|трахнуть|выебать|отыметь|поиметь|облизать|отлизать|киск\\p{L}*|сиськ\\p{L}*|груд\\p{L}*|попк\\p{L}*|секс\\p{L}*|переспать|вдуть|засадить|кончить)",
    "(тебя|вас) (\\p{L}+ )?(трахну|выебу|отымею|поимею|раздену|оттрахаю|вдую|нагну)",
    "(ночь|ночку|секс|переспать|интим) с (тобой|вами)",
    "сколько (стоит|стоишь|берешь) (\\p{L}+ )?(ночь|час|интим|секс|с тобой|за ночь)",
    "(займемся|заняться|займешься|давай) (\\p{L}+ )?(сексом|виртом|любовью)",
    "переспим(?![\\s,\\-]+с (этой|этим|мыслью|идеей))|переспишь со мной|переспать со мной",
    "(хочу|хочется|давай|можно) (\\p{L}+ ){0,2}(увидеть|видеть|посмотреть на|потрогать|трогать) (тебя|твою|твои|твой) (\\p{L}+ )?(голой|голым|голую|голенькой|без одежды|в белье|обнаженн\\p{L}*|груд\\p{L}*|сиськ\\p{L}*|попк\\p{L}*|киск\\p{L}*|тело)",
    "(отсоси|отсосешь|пососи|соси|раздвинь ноги)",
    "(хочу|хочется) (\\p{L}+ )?(тебя|твою|твои) (киск\\p{L}*|сиськ\\p{L}*|груд\\p{L}*|попк\\p{L}*|тело)",
  ].join("|"),
);

/** Insulting adjectives: when a noun follows, they describe that noun («больная тема»), not the reader. */
const INSULT_ADJECTIVE = tokenSet(
  "туп(ой|ая|ое|ые|ого|ую|ым|ыми|ых|ом)|глуп(ая|ый|ые|ую)|ненормальн\\p{L}+|неадекватн\\p{L}+|безмозгл\\p{L}+|криворук\\p{L}+|тупоголов\\p{L}+|безголов\\p{L}+|слабоумн\\p{L}+|жалк\\p{L}+|убог\\p{L}+|никчемн\\p{L}+|мерзк\\p{L}+|омерзительн\\p{L}+|отвратительн\\p{L}+|противн\\p{L}+|жирн\\p{L}+|уродлив\\p{L}+|больн\\p{L}+|конченн?\\p{L}+",
);
const ADJECTIVE_FOLLOWER = tokenSet(
  "или|что|ли|чтоли|штоли|совсем|вообще|реально|просто|же|и|да|как|раз|баба|бабища|телка|девка|тварь",
);

/** Sexual imperatives, listed so masks and transliteration («sosi») resolve to them. */
const SEXUAL_WORDS = tokenSet(
  "соси|пососи|отсоси|отсосешь|разденься|раздевайся|трахну|выебу|отымею|нюдсы|сиськи",
);
const knownWords = [
  INSULT,
  AMBIGUOUS_INSULT,
  ANIMAL_INSULT,
  OBSCENE,
  MILD,
  SLUR,
  SECOND_PERSON,
  IMPERATIVE_2ND,
  SEXUAL_WORDS,
];
/**
 * Lets the normaliser resolve masked letters («т*пая», «з*ебало»), spelt-out runs («т у п а я т в а р ь»),
 * split syllables («ду-ра») and transliteration («ty dura») to lexicon words.
 */
export function isToxicLexiconWord(word: string): boolean {
  return knownWords.some((re) => re.test(word));
}

function isObscene(w: string): boolean {
  return OBSCENE.test(w) && !NOT_OBSCENE.test(w) && !POSITIVE_OBSCENE.test(w);
}

/** Replaces quoted text with spaces, so phrase rules do not fire on what someone else said. */
function blank(s: string, spans: ReadonlyArray<[number, number]>, offset: number): string {
  let out = "";
  for (let i = 0; i < s.length; i++) out += isInside(spans, offset + i) ? " " : s[i];
  return out;
}

function firstIndex(words: readonly Word[], re: RegExp): number {
  const i = words.findIndex((x) => re.test(x.w));
  return i < 0 ? Number.POSITIVE_INFINITY : words[i]!.start;
}

/** Every word is an insult, a filler or swearing: the clause is said to the reader («тупая тварь»). */
function isVocative(words: readonly Word[]): boolean {
  return words.every(
    (y) =>
      INSULT.test(y.w) ||
      AMBIGUOUS_INSULT.test(y.w) ||
      ANIMAL_INSULT.test(y.w) ||
      VOCATIVE_FILLER.test(y.w) ||
      isObscene(y.w),
  );
}

function isAnimalInsult(words: readonly Word[], i: number, has1st: boolean, has2nd: boolean): boolean {
  const prev = words[i - 1]?.w ?? "";
  const prev2 = words[i - 2]?.w ?? "";
  if (NEGATION.test(prev) || (NEGATION.test(prev2) && VOCATIVE_FILLER.test(prev))) return false;
  if (has1st && !has2nd) return false;
  const insultingNeighbour = (w: string) => INSULT.test(w) && !ANIMAL_INSULT.test(w);
  const adjacent =
    YOU_NOMINATIVE.test(prev) ||
    YOU_NOMINATIVE.test(words[i + 1]?.w ?? "") ||
    insultingNeighbour(prev) ||
    (VOCATIVE_FILLER.test(prev) && (YOU_NOMINATIVE.test(prev2) || insultingNeighbour(prev2)));
  if (isVocative(words)) return true;
  return adjacent && has2nd;
}

export function classifyToxicity(text: string): ToxicityResult {
  const norm = normalize(text, { isKnownWord: isToxicLexiconWord });
  const labels = new Set<ToxicityLabel>();
  let severity = 0;
  const raise = (label: ToxicityLabel, level: number) => {
    labels.add(label);
    severity = Math.max(severity, level);
  };
  if (!norm) return { toxic: false, severity: 0, labels: [] };

  const quotes = quotedSpans(norm);
  const allWords = wordsOf(norm);
  // Addressed to the reader: a second-person imperative or pronoun outside quotes.
  const addressed = allWords.some(
    (x) => !isInside(quotes, x.start) && (IMPERATIVE_2ND.test(x.w) || SECOND_PERSON.test(x.w)),
  );

  for (const sentence of sentencesOf(norm)) {
    const sWords = wordsOf(sentence.text, sentence.offset);
    // Everything after a reporting verb («он сказал…», «меня называли…») is someone else's words.
    const reportedFrom = firstIndex(sWords, REPORTING);
    const live = (at: number) => at < reportedFrom && !isInside(quotes, at);
    const liveText = blank(sentence.text, quotes, sentence.offset).slice(
      0,
      Number.isFinite(reportedFrom) ? reportedFrom - sentence.offset : undefined,
    );

    if (THREAT.test(liveText)) raise("threat", 3);
    if (URGE_SELF_HARM.test(liveText)) raise("harassment", 3);
    if (RUDE_IMPERATIVE.test(liveText)) raise("harassment", 2);
    if (INSULT_PHRASE.test(liveText)) raise("insult", 2);
    if (SEXUAL_PROPOSITION.test(liveText)) raise("sexual_demand", 3);
    if (SEXUAL_IMPERATIVE.test(liveText) && SEXUAL_OBJECT.test(blank(norm, quotes, 0))) {
      // The request and its object may sit in different sentences («голые фото есть? скинь»).
      if (
        /(?<![\p{L}])(кинь|киньте|закинь|закиньте|вышли|вышлите|скинь|скиньте|скидывай|пришли|пришлите|присылай|отправь|отправьте|покажи|покажите|показывай|сфоткай|сфоткайся|сними|снимись|разденься|раздевайся|раздевайтесь)(?![\p{L}])/u.test(
          liveText,
        )
      )
        raise("sexual_demand", 3);
    }
    if (/(?<![\p{L}])(разденься|раздевайся|раздевайтесь)(?![\p{L}])/u.test(liveText))
      raise("sexual_demand", 3);

    for (const clause of clausesOf(sentence)) {
      const words = wordsOf(clause.text, clause.offset);
      const liveWords = words.filter((x) => live(x.start));
      if (liveWords.length === 0) continue;
      const has2nd = liveWords.some((x) => SECOND_PERSON.test(x.w));
      const has1st = liveWords.some((x) => FIRST_PERSON.test(x.w));

      // Hate: slurs, or a group of people called names or wished dead.
      const slur = liveWords.some((x) => SLUR.test(x.w));
      const group = liveWords.some((x) => GROUP.test(x.w));
      const violentWish = VIOLENT_WISH.test(blank(clause.text, quotes, clause.offset));
      if (slur) raise("hate", violentWish ? 3 : 2);
      if (group && (violentWish || liveWords.some((x) => INSULT.test(x.w))))
        raise("hate", violentWish ? 3 : 2);
      if (violentWish && (slur || group || /понаехали|понаехавшие/u.test(clause.text))) raise("hate", 3);

      for (let i = 0; i < liveWords.length; i++) {
        const x = liveWords[i]!;
        if (ANIMAL_INSULT.test(x.w)) {
          if (isAnimalInsult(liveWords, i, has1st, has2nd)) raise("insult", 2);
          continue;
        }
        const strong = INSULT.test(x.w);
        const ambiguous = !strong && AMBIGUOUS_INSULT.test(x.w);
        const obscene = isObscene(x.w);
        if (obscene) raise("obscene", 1);
        if (!strong && !ambiguous) {
          // Obscenity hurled at the reader: «заебал ты», «ты, блять, …».
          if (obscene && !/^(сук|бля)/u.test(x.w)) {
            const near = liveWords.slice(Math.max(0, i - 2), i + 3);
            if (near.some((y) => SECOND_PERSON.test(y.w))) raise("harassment", 2);
          }
          continue;
        }
        const prev = liveWords[i - 1]?.w ?? "";
        const prev2 = liveWords[i - 2]?.w ?? "";
        const negated = NEGATION.test(prev) || (NEGATION.test(prev2) && VOCATIVE_FILLER.test(prev));
        if (negated) continue;
        const next = liveWords[i + 1]?.w;
        if (
          next !== undefined &&
          INSULT_ADJECTIVE.test(x.w) &&
          !INSULT.test(next) &&
          !AMBIGUOUS_INSULT.test(next) &&
          !ANIMAL_INSULT.test(next) &&
          !VOCATIVE_FILLER.test(next) &&
          !ADJECTIVE_FOLLOWER.test(next)
        )
          continue;
        // «я такая дура», «чувствую себя тупой»: self-talk, not an attack.
        if (has1st && !has2nd) continue;
        const vocative = isVocative(liveWords);
        const aimed = strong ? has2nd || vocative : has2nd || (vocative && addressed);
        if (aimed) raise("insult", 2);
      }
    }
  }

  const level = Math.min(3, severity) as 0 | 1 | 2 | 3;
  const order: ToxicityLabel[] = ["threat", "hate", "sexual_demand", "harassment", "insult", "obscene"];
  return { toxic: level >= 2, severity: level, labels: order.filter((l) => labels.has(l)) };
}
