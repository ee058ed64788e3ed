"""The wording and layout of the shipped templates, as data for build_templates.py.

Block kinds: title (centred, bold, 二号), center, right (signature block), heading
(bold), body (justified, first line indented two characters), indent, plain, tag
(a docxtpl paragraph tag such as `{%p for d in defendants %}`), table (evidence
rows). Chinese legal wording: a PRC lawyer must review it before production use.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Block:
    kind: str
    text: str = ""
    table: tuple = ()


@dataclass(frozen=True)
class Spec:
    name_zh: str
    name_en: str
    description: str
    routes: tuple[str, ...]
    required: tuple[str, ...]
    checklist: str
    sample_route: str
    blocks: list[Block] = field(default_factory=list)
    version: str = "1"


def T(text: str) -> Block:  # noqa: N802 - short names keep the wording readable
    return Block("title", text)


def B(text: str) -> Block:  # noqa: N802
    return Block("body", text)


def P(text: str) -> Block:  # noqa: N802
    return Block("plain", text)


def H(text: str) -> Block:  # noqa: N802
    return Block("heading", text)


def R(text: str) -> Block:  # noqa: N802
    return Block("right", text)


def G(text: str) -> Block:  # noqa: N802
    return Block("tag", text)


MULTI = "{% if defendants|length > 1 %}{{ loop.index|cn_num }}{% endif %}"
PERSON = (
    "{{ d.name }}{% if d.role != 'borrower' %}（{{ d.role_zh }}）{% endif %}"
    "{% if d.gender %}，{{ d.gender }}{% endif %}"
    "{% if d.birth_date.cn %}，{{ d.birth_date.cn }}出生{% endif %}"
    "，公民身份号码：{{ d.id_number }}"
)
NAMES = "{% for d in defendants %}{{ d.name }}{% if not loop.last %}、{% endif %}{% endfor %}"


def parties(creditor_label: str, debtor_label: str) -> list[Block]:
    """The parties block: the creditor (a company) and every debtor (natural persons)."""
    return [
        P(f"{creditor_label}：{{{{ creditor.name }}}}"),
        P("住所地：{{ creditor.address }}"),
        P("法定代表人：{{ creditor.legal_rep }}"),
        P("统一社会信用代码：{{ creditor.uscc }}"),
        G("{%p for d in defendants %}"),
        P(f"{debtor_label}{MULTI}：{PERSON}"),
        P("住所地：{{ d.address }}"),
        G("{%p if d.phone %}"),
        P("联系电话：{{ d.phone }}"),
        G("{%p endif %}"),
        G("{%p endfor %}"),
    ]


def facts(creditor_word: str, debtor_word: str) -> list[Block]:
    """One paragraph per loan: contract, amount, rate, maturity, default, what is owed."""
    return [
        G("{%p for l in loans %}"),
        B(
            f"{{{{ l.disbursed_on.cn }}}}，{creditor_word}与{debtor_word}{{{{ borrower.name }}}}签订编号为"
            "{{ l.contract_no }}的《借款合同》，约定借款本金人民币{{ l.principal.figures }}元，"
            "年利率{{ l.annual_rate }}，到期日为{{ l.maturity_on.cn }}。合同签订后，"
            f"{creditor_word}依约发放了借款。{debtor_word}自{{{{ l.overdue_since.cn }}}}起未按约履行还款义务，"
            f"截至{{{{ claim.cutoff.cn }}}}，尚欠借款本金人民币{{{{ l.outstanding_principal.figures }}}}元，"
            "本息合计人民币{{ l.claim_total.figures }}元。"
        ),
        G("{%p endfor %}"),
    ]


def requests(verb: str, debtor_word: str, creditor_word: str, costs: str) -> list[Block]:
    """Numbered requests: one per non-zero head of claim, joint liability, costs."""
    return [
        G("{%p for it in claim.parts %}"),
        B(
            f"{{{{ loop.index }}}}. {verb}{debtor_word}向{creditor_word}支付{{{{ it.label }}}}人民币{{{{ it.amount.figures }}}}元；"
        ),
        G("{%p endfor %}"),
        G("{%p if defendants|length > 1 %}"),
        B(f"{{{{ claim.parts|length + 1 }}}}. {verb}其他{debtor_word}对上述债务承担连带清偿责任；"),
        B(f"{{{{ claim.parts|length + 2 }}}}. {costs}"),
        G("{%p else %}"),
        B(f"{{{{ claim.parts|length + 1 }}}}. {costs}"),
        G("{%p endif %}"),
        B(
            "以上合计人民币{{ claim.total.figures }}元（大写：人民币{{ claim.total.capitals }}）。"
            "利息、逾期利息暂计至{{ claim.cutoff.cn }}，此后按合同约定标准计算至实际清偿之日止。"
        ),
    ]


def closing(to: str, signer_label: str, copies: str) -> list[Block]:
    blocks = [
        P("此致"),
        P(to),
        P(""),
        R(f"{signer_label}：{{{{ creditor.name }}}}（盖章）"),
        R("法定代表人：{{ creditor.legal_rep }}"),
        R("{{ doc.date.cn }}"),
    ]
    if copies:
        blocks += [P(""), P(f"附：1. 本{copies}副本{{{{ doc.copies }}}}份；"),
                   G("{%p if evidence %}"), Block("indent", "2. 证据材料{{ evidence|length }}份。"), G("{%p endif %}")]  # fmt: skip
    return blocks


PARTY_FIELDS = (
    "creditor.name", "creditor.address", "creditor.legal_rep", "borrower.name",
    "borrower.id_number", "borrower.address", "defendants[].address", "loans[].contract_no",
    "loans[].overdue_since.iso",
)  # fmt: skip

TEMPLATES: dict[str, Spec] = {}

TEMPLATES["demand_letter"] = Spec(
    name_zh="律师函", name_en="Demand letter", routes=(), checklist="demand_letter", sample_route="litigation",
    description="律师函：催告借款人在收到之日起若干日内清偿欠款。",
    required=("creditor.name", "borrower.name", "borrower.address", "counsel.firm", "claim.total.value",
              "loans[].contract_no", "loans[].overdue_since.iso"),
    blocks=[
        T("律 师 函"),
        Block("center", "{{ letter.no }}"),
        P("{{ borrower.name }}{% if borrower.gender == '男' %}先生{% elif borrower.gender == '女' %}女士{% endif %}："),
        P("（送达地址：{{ borrower.address }}）"),
        B("{{ counsel.firm }}（以下简称“本所”）接受{{ creditor.name }}（以下简称“委托人”）的委托，"
          "就您拖欠委托人借款一事，郑重致函如下："),
        G("{%p for l in loans %}"),
        B("{{ l.disbursed_on.cn }}，您与委托人签订编号为{{ l.contract_no }}的《借款合同》，向委托人借款人民币"
          "{{ l.principal.figures }}元，约定年利率{{ l.annual_rate }}，到期日为{{ l.maturity_on.cn }}。"
          "委托人已依约发放借款，但您自{{ l.overdue_since.cn }}起未按约还款。"),
        G("{%p endfor %}"),
        B("截至{{ claim.cutoff.cn }}，您尚欠委托人借款本金人民币{{ claim.principal.figures }}元"
          "{% for it in claim.parts if it.key != 'principal' %}、{{ it.label }}人民币{{ it.amount.figures }}元{% endfor %}，"
          "合计人民币{{ claim.total.figures }}元（大写：人民币{{ claim.total.capitals }}）。"),
        B("您的上述行为已构成违约。根据《中华人民共和国民法典》第五百七十七条、第六百七十四条、第六百七十五条、"
          "第六百七十六条的规定，您应当承担偿还借款本金、支付利息等违约责任。"),
        B("本所受委托人委托，特此函告：请您在收到本函之日起{{ letter.payment_days }}日内，将上述欠款全部归还委托人。"
          "逾期未还，委托人将依法通过{% if case.route == 'arbitration' %}申请仲裁{% elif case.route == 'payment_order' %}"
          "申请支付令{% else %}提起诉讼{% endif %}等方式追究您的法律责任，由此产生的诉讼费、保全费、律师费等费用将由您承担。"),
        B("如您对上述欠款有异议或已经还款，请于上述期限内与委托人或本所联系。"),
        B("特此函告。"),
        P(""),
        R("{{ counsel.firm }}"),
        R("律师：　　　　　　"),
        R("{{ doc.date.cn }}"),
    ],
)  # fmt: skip

TEMPLATES["civil_complaint"] = Spec(
    name_zh="民事起诉状", name_en="Civil complaint", routes=("litigation", "payment_order"),
    checklist="complaint", sample_route="litigation",
    description="民事起诉状（借款合同纠纷）：当事人、诉讼请求、事实与理由、此致法院、具状人、副本份数。",
    required=PARTY_FIELDS + ("forum.name", "claim.total.value"),
    blocks=[
        T("民事起诉状"),
        *parties("原告", "被告"),
        H("诉讼请求："),
        *requests("判令", "被告", "原告", "本案诉讼费用由被告承担。"),
        H("事实与理由："),
        *facts("原告", "被告"),
        B("原告多次催收，被告至今未予清偿。原告认为，原、被告之间的借款合同合法有效，被告未按约还款，已构成违约，"
          "应当承担偿还借款本金、支付利息等违约责任。为维护原告的合法权益，根据《中华人民共和国民法典》第五百七十七条、"
          "第六百六十七条、第六百七十四条、第六百七十五条、第六百七十六条及《中华人民共和国民事诉讼法》第一百二十二条"
          "之规定，特向贵院提起诉讼，请依法判如所请。"),
        *closing("{{ forum.name }}", "具状人", "诉状"),
    ],
)  # fmt: skip

TEMPLATES["arbitration_application"] = Spec(
    name_zh="仲裁申请书", name_en="Arbitration application", routes=("arbitration",),
    checklist="arbitration_application", sample_route="arbitration",
    description="仲裁申请书：申请人、被申请人、仲裁请求、事实与理由、此致仲裁委员会。",
    required=PARTY_FIELDS + ("forum.name", "claim.total.value"),
    blocks=[
        T("仲裁申请书"),
        *parties("申请人", "被申请人"),
        H("仲裁请求："),
        *requests("裁决", "被申请人", "申请人", "本案仲裁费用由被申请人承担。"),
        H("事实与理由："),
        *facts("申请人", "被申请人"),
        B("申请人多次催收，被申请人至今未予清偿。被申请人未按约还款，已构成违约，应当承担偿还借款本金、支付利息等"
          "违约责任。双方在《借款合同》中约定因合同发生的争议提交{{ forum.name }}仲裁。根据《中华人民共和国民法典》"
          "第五百七十七条、第六百七十四条、第六百七十五条、第六百七十六条及《中华人民共和国仲裁法》的有关规定，"
          "申请人特向贵会申请仲裁，请依法裁决。"),
        *closing("{{ forum.name }}", "申请人", "申请书"),
    ],
)  # fmt: skip

TEMPLATES["payment_order_application"] = Spec(
    name_zh="支付令申请书", name_en="Payment order application", routes=("payment_order",),
    checklist="payment_order_application", sample_route="payment_order",
    description="支付令申请书：请求法院向债务人发出支付令（督促程序）。",
    required=PARTY_FIELDS + ("forum.name", "claim.total.value"),
    blocks=[
        T("支付令申请书"),
        *parties("申请人", "被申请人"),
        H("请求事项："),
        B("请求贵院依法向被申请人发出支付令，督促被申请人向申请人支付借款本金人民币{{ claim.principal.figures }}元"
          "{% for it in claim.parts if it.key != 'principal' %}、{{ it.label }}人民币{{ it.amount.figures }}元{% endfor %}，"
          "合计人民币{{ claim.total.figures }}元（大写：人民币{{ claim.total.capitals }}，暂计至{{ claim.cutoff.cn }}）。"),
        B("申请费用由被申请人承担。"),
        H("事实与理由："),
        *facts("申请人", "被申请人"),
        B("上述债务已到期且数额确定，申请人与被申请人之间没有其他债务纠纷，支付令能够送达被申请人。根据《中华人民共和国"
          "民事诉讼法》第二百二十五条之规定，特向贵院申请支付令。"),
        *closing("{{ forum.name }}", "申请人", "申请书"),
    ],
)  # fmt: skip

TEMPLATES["preservation_application"] = Spec(
    name_zh="财产保全申请书", name_en="Preservation application", routes=(),
    checklist="route", sample_route="litigation",
    description="财产保全申请书：请求冻结被申请人银行存款或查封、扣押等值财产，申请人提供担保。",
    required=("creditor.name", "creditor.address", "creditor.legal_rep", "borrower.name",
              "borrower.id_number", "borrower.address", "forum.name", "claim.total.value"),
    blocks=[
        T("财产保全申请书"),
        *parties("申请人", "被申请人"),
        H("请求事项："),
        B("请求依法冻结被申请人" + NAMES + "名下银行存款人民币{{ claim.total.figures }}元（大写：人民币"
          "{{ claim.total.capitals }}），或查封、扣押其他等值财产。"),
        H("事实与理由："),
        B("申请人与被申请人借款合同纠纷一案，{% if case.court_case_no %}已由{{ forum.name }}受理（案号："
          "{{ case.court_case_no }}）{% else %}申请人已向{{ forum.name }}提出{% if forum.kind == 'commission' %}仲裁申请"
          "{% else %}诉讼{% endif %}{% endif %}。截至{{ claim.cutoff.cn }}，被申请人尚欠申请人本息合计人民币"
          "{{ claim.total.figures }}元。为防止被申请人转移、隐匿财产，致使将来生效法律文书难以执行，根据《中华人民共和国"
          "民事诉讼法》第一百零三条之规定，申请人特申请财产保全。"),
        B("申请人愿意提供相应担保；如因申请错误给被申请人造成损失，由申请人依法承担赔偿责任。申请保全费人民币"
          "{{ fees.preservation.figures }}元由申请人预交。"),
        *closing("{{ forum.name }}", "申请人", ""),
    ],
)  # fmt: skip

TEMPLATES["enforcement_application"] = Spec(
    name_zh="强制执行申请书", name_en="Enforcement application", routes=(),
    checklist="enforcement_application", sample_route="litigation",
    description="强制执行申请书：依据生效判决书、仲裁裁决书或支付令申请强制执行。",
    required=("creditor.name", "creditor.address", "creditor.legal_rep", "borrower.name",
              "borrower.id_number", "borrower.address", "enforcement.basis_no", "enforcement.issuer",
              "enforcement.court", "claim.total.value"),
    blocks=[
        T("强制执行申请书"),
        *parties("申请执行人", "被执行人"),
        H("执行依据："),
        B("{{ enforcement.issuer }}{{ enforcement.basis_no }}{{ enforcement.basis_doc }}。"),
        H("执行请求："),
        B("1. 请求强制被执行人履行{{ enforcement.basis_doc }}确定的给付义务，向申请执行人支付人民币"
          "{{ claim.total.figures }}元（大写：人民币{{ claim.total.capitals }}，暂计至{{ claim.cutoff.cn }}）；"),
        B("2. 请求强制被执行人加倍支付迟延履行期间的债务利息；"),
        B("3. 本案执行费用由被执行人承担。"),
        H("事实与理由："),
        B("申请执行人与被执行人借款合同纠纷一案，{{ enforcement.issuer }}作出{{ enforcement.basis_no }}"
          "{{ enforcement.basis_doc }}，该法律文书已经发生法律效力。被执行人至今未履行生效法律文书确定的义务。根据《中华人民"
          "共和国民事诉讼法》{% if case.route == 'arbitration' %}第二百四十八条{% else %}第二百四十七条{% endif %}、"
          "第二百六十四条之规定，申请执行人特向贵院申请强制执行。"),
        *closing("{{ enforcement.court }}", "申请执行人", ""),
    ],
)  # fmt: skip

TEMPLATES["evidence_list"] = Spec(
    name_zh="证据目录", name_en="Evidence list", routes=(), checklist="", sample_route="litigation",
    description="证据目录：序号、证据名称、来源、证明目的、页码。",
    required=("creditor.name", "borrower.name", "evidence"),
    blocks=[
        T("证据目录"),
        P("提交人：{{ creditor.name }}"),
        P("案　由：借款合同纠纷（{{ creditor.name }}与{{ borrower.name }}{% if defendants|length > 1 %}等{% endif %}）"),
        P("{% if case.court_case_no %}案　号：{{ case.court_case_no }}{% endif %}"),
        Block("table", "{%tr for e in evidence %}", (
            ("序号", "证据名称", "证据来源", "证明目的", "页码"),
            ("{{ e.no }}", "{{ e.name }}", "{{ e.source }}", "{{ e.purpose }}", "{{ e.pages }}"),
            (1.4, 4.2, 2.8, 5.8, 1.4),
        )),
        P(""),
        R("提交人：{{ creditor.name }}（盖章）"),
        R("{{ doc.date.cn }}"),
    ],
)  # fmt: skip

TEMPLATES["power_of_attorney"] = Spec(
    name_zh="授权委托书", name_en="Power of attorney", routes=(), checklist="", sample_route="litigation",
    description="授权委托书：委托律师事务所律师作为诉讼（仲裁）代理人，特别授权。",
    required=("creditor.name", "creditor.address", "creditor.legal_rep", "borrower.name",
              "counsel.firm", "forum.name"),
    blocks=[
        T("授权委托书"),
        P("委托人：{{ creditor.name }}"),
        P("住所地：{{ creditor.address }}"),
        P("法定代表人：{{ creditor.legal_rep }}"),
        P("受托人：　　　　　　，{{ counsel.firm }}律师，联系电话：　　　　　　"),
        G("{%p if counsel.agent %}"),
        P("受托人：{{ counsel.agent }}，委托人工作人员"),
        G("{%p endif %}"),
        B("现委托上述受托人在委托人与{{ borrower.name }}{% if defendants|length > 1 %}等{% endif %}借款合同纠纷一案中，"
          "作为委托人的{% if forum.kind == 'commission' %}仲裁{% else %}诉讼{% endif %}代理人。"),
        B("代理权限为特别授权：代为立案，提起、变更、放弃或者承认{% if forum.kind == 'commission' %}仲裁{% else %}诉讼{% endif %}"
          "请求，进行和解、调解，提起反诉或者上诉，申请财产保全和强制执行，代为签收法律文书。"),
        B("委托期限：自本委托书签署之日起至本案执行终结之日止。"),
        P("此致"),
        P("{{ forum.name }}"),
        P(""),
        R("委托人：{{ creditor.name }}（盖章）"),
        R("法定代表人：{{ creditor.legal_rep }}（签字）"),
        R("{{ doc.date.cn }}"),
    ],
)  # fmt: skip
