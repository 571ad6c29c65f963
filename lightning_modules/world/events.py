"""Event types of the synthetic news corpus: typed roles and the templates that realise them.

Each event type declares
- ``roles``: core roles, always stated in the document, mapped to a value kind (see
  ``inventory.SAMPLERS``);
- ``optional``: roles a document states with probability one half (at least one is always
  left out, so an extrinsic hallucination is always possible);
- ``swap``: two core roles of the same kind that a role-swap corruption exchanges;
- ``distractors``: entities of the same types as the true ones that the document mentions in
  other roles (the "wrong boxer": two fighters in the text, one has the weakness);
- ``main``: one-sentence summary clauses as (affirmative, negated) pairs;
- ``modifiers``: a phrase per role that a summary may append ("at {venue}");
- ``facts``: document sentences, each a group of roles with several paraphrases;
- ``distract``: document sentences that mention the distractors;
- ``questions``: questions whose answer is a role's value (placeholders name core roles only);
- ``background``: ``(attribute, entity)``, the optional role that is a standing fact about
  the entity in a core role (a player's age, a club's coach): the world keeps its value the
  same in every document that names the entity (see ``background``), and XSUM-like references
  state it whether or not the document does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

GENERIC_FILLER = [
    "The news was reported by several local outlets.",
    "Officials said more details would be released in the coming days.",
    "Reaction on social media was swift.",
    "The story drew wide attention across the region.",
]


@dataclass(frozen=True)
class EventType:
    """One kind of news event and every template used to write about it."""

    name: str
    roles: dict[str, str]
    optional: dict[str, str]
    swap: tuple[str, str]
    distractors: dict[str, str]
    main: list[tuple[str, str]]
    modifiers: dict[str, str]
    facts: list[tuple[str, list[str]]]
    distract: list[str]
    filler: list[str]
    questions: dict[str, list[str]]
    background: tuple[str, str]
    kinds: dict[str, str] = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "kinds", {**self.roles, **self.optional, **self.distractors})
        a, b = self.swap
        if self.roles[a] != self.roles[b]:
            raise ValueError(f"{self.name}: swap roles {a}, {b} differ in kind")
        attribute, entity = self.background
        if attribute not in self.optional or entity not in self.roles:
            raise ValueError(f"{self.name}: background {self.background} must be (optional "
                             "role, core role)")
        for role in {**self.roles, **self.optional}:
            if role not in self.questions:
                raise ValueError(f"{self.name}: no question for role {role!r}")


SPORTS = EventType(
    name="sports_result",
    roles=dict(winner="club", loser="club", score="score", venue="place", date="date", scorer="person"),
    optional=dict(attendance="count", coach="person"),
    swap=("winner", "loser"),
    distractors=dict(d_org="club", d_person="person", d_place="place", d_date="date"),
    main=[
        ("{winner} beat {loser} {score}", "{winner} did not beat {loser} {score}"),
        ("{winner} won {score} against {loser}", "{winner} did not win {score} against {loser}"),
        ("{loser} lost {score} to {winner}", "{loser} did not lose {score} to {winner}"),
    ],
    modifiers=dict(venue="at {venue}", date="on {date}", scorer="with a goal from {scorer}",
                   attendance="in front of {attendance} fans", coach="under coach {coach}"),
    facts=[
        ("winner loser", ["{winner} claimed victory over {loser} in a tense league match.",
                          "{loser} were beaten by {winner} in the league.",
                          "It was {winner} who came out on top against {loser}."]),
        ("score", ["The final score was {score}.", "The match finished {score}.",
                   "The scoreboard read {score} at the final whistle."]),
        ("venue", ["The game was played at {venue}.", "Supporters packed the ground in {venue}.",
                   "The fixture was staged in {venue}."]),
        ("date", ["The match took place on {date}.", "The fixture was held on {date}."]),
        ("scorer", ["{scorer} scored the decisive goal.", "The winning goal came from {scorer}."]),
        ("attendance", ["A crowd of {attendance} watched the game.",
                        "Some {attendance} spectators attended."]),
        ("coach", ["Coach {coach} praised his players afterwards.",
                   "The winners are managed by {coach}."]),
    ],
    distract=["{d_org} had beaten {loser} earlier in the season.",
              "{d_person} missed a penalty for the visitors.",
              "The two sides will meet again in {d_place} next month.",
              "Their previous meeting, on {d_date}, ended in a draw."],
    filler=["Both sides had struggled for form in recent weeks.",
            "Fans celebrated long after the final whistle."],
    questions=dict(winner=["Who beat {loser}?", "Which team won the match against {loser}?"],
                   loser=["Who did {winner} beat?", "Which team lost to {winner}?"],
                   score=["What was the score?", "What was the final score against {loser}?"],
                   venue=["Where was the match played?"], date=["When was the match played?"],
                   scorer=["Who scored the winning goal?"], attendance=["How many fans watched?"],
                   coach=["Who coaches {winner}?"]),
    background=("coach", "winner"),
)

TRANSFER = EventType(
    name="transfer",
    roles=dict(player="person", buyer="club", seller="club", fee="money", date="date", city="place"),
    optional=dict(age="age", contract="years"),
    swap=("buyer", "seller"),
    distractors=dict(d_org="club", d_person="person", d_place="place", d_date="date"),
    main=[
        ("{buyer} signed {player} from {seller} for {fee}",
         "{buyer} did not sign {player} from {seller} for {fee}"),
        ("{player} joined {buyer} from {seller} for {fee}",
         "{player} did not join {buyer} from {seller} for {fee}"),
        ("{seller} sold {player} to {buyer} for {fee}",
         "{seller} did not sell {player} to {buyer} for {fee}"),
    ],
    modifiers=dict(date="on {date}", city="at a news conference in {city}", age="aged {age}",
                   contract="on a {contract}-year deal"),
    facts=[
        ("player buyer", ["{buyer} have completed the signing of {player}.",
                          "{player} has become the newest player at {buyer}."]),
        ("seller", ["He leaves {seller} after three seasons.", "{seller} agreed to let him go."]),
        ("fee", ["The fee is understood to be {fee}.", "The deal is worth {fee}."]),
        ("date", ["The move was confirmed on {date}.", "Paperwork was completed on {date}."]),
        ("city", ["He was presented to the media in {city}.", "The deal was signed in {city}."]),
        ("age", ["The player is {age} years old.", "At {age}, he has plenty of experience."]),
        ("contract", ["He signed a contract lasting {contract} years.",
                      "His deal runs for {contract} years."]),
    ],
    distract=["{d_org} had also shown interest in the player.",
              "{d_person} left {buyer} in the same window.",
              "{d_person}'s agent had talks in {d_place}.",
              "A previous bid was rejected on {d_date}."],
    filler=["Supporters had called for new signings all summer.",
            "The club hopes the move will strengthen the squad."],
    questions=dict(player=["Who joined {buyer}?", "Which player did {buyer} sign?"],
                   buyer=["Which club signed the player?", "Who did {player} join?"],
                   seller=["Which club did {player} leave?"], fee=["How much was the fee?"],
                   date=["When was the move confirmed?"], city=["Where was the deal signed?"],
                   age=["How old is {player}?"], contract=["How many years does the deal run?"]),
    background=("age", "player"),
)

COURT = EventType(
    name="court_case",
    roles=dict(defendant="person", victim="person", sentence="years", court="place", date="date"),
    optional=dict(age="age", fine="money"),
    swap=("defendant", "victim"),
    distractors=dict(d_person="person", d_place="place", d_date="date"),
    main=[
        ("{defendant} was jailed for {sentence} years for attacking {victim}",
         "{defendant} was not jailed for {sentence} years for attacking {victim}"),
        ("a court jailed {defendant} for {sentence} years over an attack on {victim}",
         "a court did not jail {defendant} for {sentence} years over an attack on {victim}"),
    ],
    modifiers=dict(court="at {court} Crown Court", date="on {date}", age="aged {age}",
                   fine="and fined {fine}"),
    facts=[
        ("defendant victim", ["{defendant} admitted attacking {victim}.",
                              "{victim} was assaulted by {defendant}, the court heard."]),
        ("sentence", ["The judge imposed a sentence of {sentence} years.",
                      "He was told he would serve {sentence} years."]),
        ("court", ["The case was heard at {court} Crown Court.",
                   "Proceedings took place in {court}."]),
        ("date", ["Sentence was passed on {date}.", "The hearing concluded on {date}."]),
        ("age", ["The defendant is {age} years old.", "The court heard he was {age}."]),
        ("fine", ["He was also ordered to pay {fine}.", "A fine of {fine} was imposed."]),
    ],
    distract=["{d_person} gave evidence at the trial.",
              "{d_person} was cleared of any involvement.",
              "The attack happened outside a bar in {d_place}.",
              "He was first arrested on {d_date}."],
    filler=["The victim's family said justice had been done.",
            "Police welcomed the sentence."],
    questions=dict(defendant=["Who was jailed?", "Who attacked {victim}?"],
                   victim=["Who was attacked?", "Who did {defendant} attack?"],
                   sentence=["How many years was {defendant} jailed for?"],
                   court=["Where was the case heard?"], date=["When was sentence passed?"],
                   age=["How old is {defendant}?"], fine=["How much was {defendant} fined?"]),
    background=("age", "defendant"),
)

ACQUISITION = EventType(
    name="acquisition",
    roles=dict(acquirer="company", target="company", price="money", date="date", city="place"),
    optional=dict(ceo="person", jobs="count"),
    swap=("acquirer", "target"),
    distractors=dict(d_org="company", d_person="person", d_place="place", d_date="date"),
    main=[
        ("{acquirer} bought {target} for {price}", "{acquirer} did not buy {target} for {price}"),
        ("{target} was taken over by {acquirer} for {price}",
         "{target} was not taken over by {acquirer} for {price}"),
        ("{acquirer} agreed a {price} deal to acquire {target}",
         "{acquirer} did not agree a {price} deal to acquire {target}"),
    ],
    modifiers=dict(date="on {date}", city="in {city}", ceo="led by chief executive {ceo}",
                   jobs="putting {jobs} jobs at risk"),
    facts=[
        ("acquirer target", ["{acquirer} has agreed to take over {target}.",
                             "{target} will become part of {acquirer}."]),
        ("price", ["The deal values the business at {price}.", "The price was {price}."]),
        ("date", ["The agreement was announced on {date}.", "The deal was signed on {date}."]),
        ("city", ["The company is based in {city}.", "Its headquarters are in {city}."]),
        ("ceo", ["Chief executive {ceo} said the deal made sense.",
                 "The buyer is run by {ceo}."]),
        ("jobs", ["Unions said {jobs} jobs could go.", "The firm employs {jobs} people."]),
    ],
    distract=["{d_org} had made a rival offer.", "Analyst {d_person} called the price high.",
              "A factory in {d_place} is not part of the deal.",
              "Talks first began on {d_date}."],
    filler=["Shares rose after the announcement.", "Regulators are expected to review the deal."],
    questions=dict(acquirer=["Who bought {target}?"], target=["Which company was bought?"],
                   price=["How much did {acquirer} pay?"], date=["When was the deal announced?"],
                   city=["Where is {target} based?"], ceo=["Who runs {acquirer}?"],
                   jobs=["How many jobs are at risk?"]),
    background=("ceo", "acquirer"),
)

ELECTION = EventType(
    name="election",
    roles=dict(winner="person", rival="person", city="place", share="percent", date="date"),
    optional=dict(party="party", turnout="percent"),
    swap=("winner", "rival"),
    distractors=dict(d_person="person", d_place="place", d_date="date"),
    main=[
        ("{winner} defeated {rival} to become mayor of {city}",
         "{winner} did not defeat {rival} to become mayor of {city}"),
        ("{winner} was elected mayor of {city} ahead of {rival}",
         "{winner} was not elected mayor of {city} ahead of {rival}"),
        ("{rival} lost the {city} mayoral race to {winner}",
         "{rival} did not lose the {city} mayoral race to {winner}"),
    ],
    modifiers=dict(share="with {share} of the vote", date="on {date}",
                   party="for the {party}", turnout="on a turnout of {turnout}"),
    facts=[
        ("winner rival", ["{winner} beat {rival} in the mayoral contest.",
                          "{rival} conceded defeat to {winner}."]),
        ("city", ["Voters in {city} went to the polls.", "The race was for mayor of {city}."]),
        ("share", ["The winner took {share} of the vote.", "The result was {share} for the winner."]),
        ("date", ["The count finished on {date}.", "The election was held on {date}."]),
        ("party", ["The winner stood for the {party}.", "It was a victory for the {party}."]),
        ("turnout", ["Turnout was {turnout}.", "Officials put turnout at {turnout}."]),
    ],
    distract=["{d_person} finished a distant third.", "{d_person} withdrew from the race early.",
              "A recount was demanded in {d_place}.", "The last election was on {d_date}."],
    filler=["Campaigning focused on housing and transport.", "Counting went on through the night."],
    questions=dict(winner=["Who became mayor?", "Who defeated {rival}?"],
                   rival=["Who lost the race?", "Who did {winner} defeat?"],
                   city=["Where was the election?"], share=["What share of the vote did {winner} win?"],
                   date=["When was the election?"], party=["Which party did {winner} stand for?"],
                   turnout=["What was the turnout?"]),
    background=("party", "winner"),
)

ROBBERY = EventType(
    name="robbery",
    roles=dict(suspect="person", owner="person", loot="money", town="place", date="date"),
    optional=dict(age="age", reward="money"),
    swap=("suspect", "owner"),
    distractors=dict(d_person="person", d_place="place", d_date="date"),
    main=[
        ("police arrested {suspect} after {loot} was stolen from a shop owned by {owner}",
         "police did not arrest {suspect} after {loot} was stolen from a shop owned by {owner}"),
        ("{suspect} was arrested over the theft of {loot} from a shop run by {owner}",
         "{suspect} was not arrested over the theft of {loot} from a shop run by {owner}"),
    ],
    modifiers=dict(town="in {town}", date="on {date}", age="aged {age}",
                   reward="as a {reward} reward was offered"),
    facts=[
        ("suspect", ["Officers detained {suspect} at his home.",
                     "{suspect} is being questioned by detectives."]),
        ("owner loot", ["Shop owner {owner} said {loot} had been taken.",
                        "Thieves took {loot} from the shop of {owner}."]),
        ("town", ["The raid happened in {town}.", "The shop is on the high street in {town}."]),
        ("date", ["The break-in took place on {date}.", "The theft was discovered on {date}."]),
        ("age", ["The suspect is {age} years old.", "Police said the man was {age}."]),
        ("reward", ["Insurers offered a reward of {reward}.", "A {reward} reward was offered."]),
    ],
    distract=["{d_person} saw a van outside.", "Neighbour {d_person} called the police.",
              "A similar raid happened in {d_place}.", "The shop was last robbed on {d_date}."],
    filler=["Police appealed for witnesses.", "Local traders said they were shaken."],
    questions=dict(suspect=["Who was arrested?"], owner=["Who owns the shop?"],
                   loot=["How much was stolen?"], town=["Where did the theft happen?"],
                   date=["When did the theft happen?"], age=["How old is {suspect}?"],
                   reward=["How large was the reward?"]),
    background=("age", "suspect"),
)

AWARD = EventType(
    name="award",
    roles=dict(winner="person", runner_up="person", prize="award", city="place", date="date"),
    optional=dict(purse="money", age="age"),
    swap=("winner", "runner_up"),
    distractors=dict(d_person="person", d_place="place", d_date="date"),
    main=[
        ("{winner} beat {runner_up} to win the {prize}",
         "{winner} did not beat {runner_up} to win the {prize}"),
        ("{winner} won the {prize} ahead of {runner_up}",
         "{winner} did not win the {prize} ahead of {runner_up}"),
        ("{runner_up} lost out on the {prize} to {winner}",
         "{runner_up} did not lose out on the {prize} to {winner}"),
    ],
    modifiers=dict(city="at a ceremony in {city}", date="on {date}", purse="worth {purse}",
                   age="aged {age}"),
    facts=[
        ("winner prize", ["{winner} was named winner of the {prize}.",
                          "The {prize} went to {winner}."]),
        ("runner_up", ["{runner_up} was the runner-up.", "{runner_up} came second."]),
        ("city", ["The ceremony was held in {city}.", "Guests gathered in {city}."]),
        ("date", ["The winner was announced on {date}.", "The ceremony took place on {date}."]),
        ("purse", ["The prize is worth {purse}.", "The award carries {purse}."]),
        ("age", ["The winner is {age} years old.", "At {age}, the winner was delighted."]),
    ],
    distract=["{d_person} presented the award.", "Last year's winner {d_person} was on the jury.",
              "Next year's ceremony will be in {d_place}.", "The shortlist was revealed on {d_date}."],
    filler=["The judges praised a strong field.", "The prize has been awarded for decades."],
    questions=dict(winner=["Who won the {prize}?"], runner_up=["Who came second?"],
                   prize=["Which prize did {winner} win?"], city=["Where was the ceremony?"],
                   date=["When was the winner announced?"], purse=["How much is the prize worth?"],
                   age=["How old is {winner}?"]),
    background=("age", "winner"),
)

LAUNCH = EventType(
    name="product_launch",
    roles=dict(company="company", rival="company", product="product", price="money",
               date="date", city="place"),
    optional=dict(ceo="person", units="count"),
    swap=("company", "rival"),
    distractors=dict(d_org="company", d_person="person", d_place="place", d_date="date"),
    main=[
        ("{company} launched a {product} priced at {price} to rival {rival}",
         "{company} did not launch a {product} priced at {price} to rival {rival}"),
        ("{company} unveiled a {price} {product} to take on {rival}",
         "{company} did not unveil a {price} {product} to take on {rival}"),
    ],
    modifiers=dict(date="on {date}", city="at an event in {city}",
                   ceo="presented by chief executive {ceo}", units="expecting to sell {units} units"),
    facts=[
        ("company product", ["{company} has unveiled its new {product}.",
                             "The new {product} from {company} was shown to reporters."]),
        ("rival", ["It is aimed squarely at {rival}.", "The device competes with one from {rival}."]),
        ("price", ["It will cost {price}.", "The price was set at {price}."]),
        ("date", ["The launch took place on {date}.", "It was revealed on {date}."]),
        ("city", ["The event was held in {city}.", "Reporters gathered in {city} for the launch."]),
        ("ceo", ["Chief executive {ceo} showed off the device.", "{ceo} leads the company."]),
        ("units", ["The firm hopes to sell {units} units.", "A first batch of {units} is planned."]),
    ],
    distract=["{d_org} released a similar device last year.", "Analyst {d_person} was sceptical.",
              "Production will take place in {d_place}.", "A teaser appeared on {d_date}."],
    filler=["Pre-orders open next week.", "Reviews so far have been mixed."],
    questions=dict(company=["Who launched the {product}?"], rival=["Which firm is the rival?"],
                   product=["What did {company} launch?"], price=["How much will it cost?"],
                   date=["When was it launched?"], city=["Where was the launch?"],
                   ceo=["Who leads {company}?"], units=["How many units will be sold?"]),
    background=("ceo", "company"),
)

EVENT_TYPES: dict[str, EventType] = {
    e.name: e for e in (SPORTS, TRANSFER, COURT, ACQUISITION, ELECTION, ROBBERY, AWARD, LAUNCH)
}
