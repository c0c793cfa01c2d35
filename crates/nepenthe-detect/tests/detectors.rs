//! Table-driven cases per detector: what must be found (with its exact text
//! and type) and near misses that must not be.

use nepenthe_detect::{Detector, EntityType, EntityType::*, KnownContact};
use std::sync::OnceLock;

fn detector() -> &'static Detector {
    static D: OnceLock<Detector> = OnceLock::new();
    D.get_or_init(Detector::new)
}

fn found(text: &str, ctx: Option<&KnownContact>) -> Vec<(EntityType, String)> {
    detector()
        .detect(text, ctx)
        .into_iter()
        .map(|s| (s.entity_type, text[s.bstart..s.bend].to_string()))
        .collect()
}

/// Each case: input text, then the spans expected of the given type (others ignored).
fn check(ty: EntityType, cases: &[(&str, &[&str])]) {
    for (text, want) in cases {
        let got: Vec<String> = found(text, None)
            .into_iter()
            .filter(|(t, _)| *t == ty)
            .map(|(_, s)| s)
            .collect();
        assert_eq!(&got, want, "{ty} in {text:?}");
    }
}

#[test]
fn cards() {
    check(
        CreditCard,
        &[
            (
                "card number 4111 1111 1111 1111 thanks",
                &["4111 1111 1111 1111"],
            ),
            ("pay with 5500-0000-0000-0004.", &["5500-0000-0000-0004"]),
            ("amex 3782 822463 10005", &["3782 822463 10005"]),
            ("voucher code 6011 1111 1111 1118 didn't work", &[]), // Luhn-invalid
            ("ref 1234 5678 1234 5670", &[]),                      // Luhn-valid, no issuer
        ],
    );
}

#[test]
fn ibans() {
    check(
        IbanCode,
        &[
            (
                "My IBAN is GB29 NWBK 6016 1331 9268 19.",
                &["GB29 NWBK 6016 1331 9268 19"],
            ),
            (
                "IBAN DE89370400440532013000 please",
                &["DE89370400440532013000"],
            ),
            ("IBAN GB28 NWBK 6016 1331 9268 19", &[]), // bad check digits
        ],
    );
}

#[test]
fn phones() {
    check(
        PhoneNumber,
        &[
            ("call me on 07912 345678", &["07912 345678"]),
            ("mobile +44 7912 345678.", &["+44 7912 345678"]),
            ("office 0161 496 0123 ", &["0161 496 0123"]),
            (
                "US (212) 456-7890 or 1-212-456-7890",
                &["(212) 456-7890", "1-212-456-7890"],
            ),
            ("order ORD-2024-123456 shipped", &[]),
            ("case INC1234567", &[]),
            ("tracking JD014600006281347019", &[]),
            ("between 10:00 and 12:30 on 12/03/2024", &[]),
            ("or 0044 7912 345678 from abroad", &["0044 7912 345678"]),
            // Australian numbers in national format.
            ("mob 0491 570 156 after 5", &["0491 570 156"]),
            ("ph (08) 5550 4132", &["(08) 5550 4132"]),
            // An ISBN is no Australian number.
            ("ISBN 0-306-40615-7", &[]),
            // Toll-free helplines are businesses, not people.
            ("call our helpline on 0800 000 0000 or", &[]),
            ("Freephone 0808 157 0192 anytime", &[]),
            ("Call 1-800-555-0199 or (888) 456-7890", &[]),
            ("from abroad +44 800 123 4567", &[]),
            // Nor is a timestamp a phone.
            ("[2026-11-20 19:02:14] Customer: hi", &[]),
        ],
    );
}

#[test]
fn ssns_and_ninos() {
    check(
        UsSsn,
        &[
            ("my SSN is 536-90-4399", &["536-90-4399"]),
            ("social security 536 90 4399", &["536 90 4399"]),
            ("SSN 666-12-3456", &[]),
            ("SSN 912-12-3456", &[]),
            ("SSN 536-00-4399", &[]),
        ],
    );
    check(
        UkNino,
        &[
            ("NI number AB 12 34 56 C", &["AB 12 34 56 C"]),
            ("JG103758A", &["JG103758A"]),
            ("DA 12 34 56 C", &[]),
            ("GB 12 34 56 C", &[]),
            ("AB 12 34 56 E", &[]),
        ],
    );
}

#[test]
fn ips_and_emails() {
    check(
        IpAddress,
        &[
            ("login from IP 81.2.69.160 at noon", &["81.2.69.160"]),
            (
                "from 2001:db8:85a3::8a2e:370:7334 today",
                &["2001:db8:85a3::8a2e:370:7334"],
            ),
            ("firmware version 10.2.3.4", &[]),
            ("not 999.1.1.1", &[]),
            ("timestamp [00:01:23]", &[]),
        ],
    );
    check(
        EmailAddress,
        &[
            ("email zoe.k+cc@example.co.uk.", &["zoe.k+cc@example.co.uk"]),
            (
                "its jane dot doe at gmail dot com",
                &["jane dot doe at gmail dot com"],
            ),
            ("meet at noon", &[]),
            // Role mailboxes reach a team, not a person.
            ("write to support@acme.co.uk or No-Reply@acme.com", &[]),
            ("cc customer.services+1234@shop.example", &[]),
            (
                "from support.jane@acme.co.uk and helpdesk2@acme.com",
                &["support.jane@acme.co.uk", "helpdesk2@acme.com"],
            ),
        ],
    );
    // ... unless it is the contact's own address.
    let c: KnownContact =
        serde_json::from_str(r#"{"EmailAddress": "info@smith-plumbing.example"}"#).unwrap();
    let got = found("reply to info@smith-plumbing.example", Some(&c));
    assert_eq!(
        got,
        [(EmailAddress, "info@smith-plumbing.example".to_string())]
    );
}

#[test]
fn dates_of_birth() {
    check(
        DateOfBirth,
        &[
            ("Date of birth 12/03/1984.", &["12/03/1984"]),
            // A table column headed by a birth cue; other date columns are not.
            (
                "| Ref | Name | D.O.B. | Opened |\n|---|---|---|---|\n| A-1 | Ann Lee | 07/03/1990 | 01/02/1995 |\n| A-2 | Bo Kim | 26/12/1958 | 03/04/1999 |\n",
                &["07/03/1990", "26/12/1958"],
            ),
            (
                "ref\tdate_of_birth\tnote\n17\t1961-05-02\tcalled 02/03/1990\n",
                &["1961-05-02"],
            ),
            ("I was born on March 3, 1984", &["March 3, 1984"]),
            ("DOB: the 3rd of March 1984", &["3rd of March 1984"]),
            (
                "my date of birth is the third of march nineteen eighty four",
                &["third of march nineteen eighty four"],
            ),
            ("delivered on 12/03/2024", &[]), // not a birth year
            ("refund issued 12/03/1999 to your card", &[]), // no birth context
            ("born 31/02/1984", &[]),         // no such day
        ],
    );
    let c: KnownContact = serde_json::from_str(r#"{"DateOfBirth":"1984-03-12"}"#).unwrap();
    let got = found("Customer: 12.03.1984", Some(&c));
    assert_eq!(got, vec![(DateOfBirth, "12.03.1984".to_string())]);
}

#[test]
fn addresses() {
    let addr = |text: &str| -> Vec<String> {
        found(text, None)
            .into_iter()
            .filter(|(t, _)| matches!(t, StreetAddress | Postcode))
            .map(|(_, s)| s)
            .collect()
    };
    assert_eq!(
        addr("send it to 12 Mill Lane, Leeds, LS1 4AB please"),
        ["12 Mill Lane, Leeds, LS1 4AB"]
    );
    assert_eq!(
        addr("Flat 3\n56 Stewart Avenue\nReading\nRG26 8YS\n"),
        ["Flat 3\n56 Stewart Avenue\nReading\nRG26 8YS"]
    );
    assert_eq!(
        addr("It's 3010 Flores Ct, New York, NY 10027."),
        ["3010 Flores Ct, New York, NY 10027"]
    );
    assert_eq!(addr("Postcode is SW1A 1AA."), ["SW1A 1AA"]);
    assert_eq!(
        addr("1600 Pennsylvania Avenue NW, Washington, DC 20500"),
        ["1600 Pennsylvania Avenue NW, Washington, DC 20500"]
    );
    assert_eq!(addr("caller: my postcode is ls1 4ab"), ["ls1 4ab"]);
    assert_eq!(addr("caller: i think so"), Vec::<String>::new());
    assert_eq!(
        addr("it's at our Leeds depot since Monday"),
        Vec::<String>::new()
    );
    assert_eq!(addr("within 3 working days"), Vec::<String>::new());
    assert_eq!(
        addr("caller: yeah its forty two church street"),
        ["forty two church street"]
    );
    assert_eq!(addr("caller: 42b acacia avenue"), ["42b acacia avenue"]);
    assert_eq!(
        addr("it is a two way street and one lane road"),
        Vec::<String>::new()
    );
    assert_eq!(addr("in 3 more days down the road"), Vec::<String>::new());
    // Irish: a district number and an Eircode.
    assert_eq!(
        addr("Send it to 5 Grattan Court, Dublin 2, D02 P681 please"),
        ["5 Grattan Court, Dublin 2, D02 P681"]
    );
    assert_eq!(addr("Eircode: T12 K8AF"), ["T12 K8AF"]);
}

#[test]
fn known_contact_any_case_and_spacing() {
    let c: KnownContact = serde_json::from_str(
        r#"{"FirstName":"Zoë","LastName":"Kowalski","PhoneNumber":"+44 7912 345678","Postcode":"LS1 4AB"}"#,
    )
    .unwrap();
    let got = found(
        "caller: yeah zoë here, surname KOWALSKI, number 07912345678, postcode ls14ab",
        Some(&c),
    );
    let texts: Vec<&str> = got.iter().map(|(_, s)| s.as_str()).collect();
    assert!(texts.contains(&"zoë"), "{got:?}");
    assert!(texts.contains(&"KOWALSKI"), "{got:?}");
    assert!(texts.contains(&"07912345678"), "{got:?}");
    assert!(texts.contains(&"ls14ab"), "{got:?}");
}

#[test]
fn entity_filter_and_min_score() {
    let text = "Jane Doe, 07912 345678";
    let only_phone = detector().detect_filtered(
        text,
        None,
        nepenthe_detect::EntitySet::parse_list("PHONE").unwrap(),
        0.5,
    );
    assert!(only_phone.iter().all(|s| s.entity_type == PhoneNumber) && !only_phone.is_empty());
    assert!(detector()
        .detect_filtered(text, None, nepenthe_detect::EntitySet::all(), 1.01)
        .is_empty());
}

#[test]
fn known_contact_values_are_flagged_for_subject_access_exports() {
    let c: KnownContact = serde_json::from_str(
        r#"{"FirstName":"Zoë","LastName":"Kowalski","EmailAddress":"zoe.k@example.com","PhoneNumber":"+44 7912 345678","Postcode":"LS1 4AB"}"#,
    )
    .unwrap();
    let text = "Zoë Kowalski (zoe.k@example.com, 07912 345678) said her neighbour Tom Baker, 07700 987654, lives at 12 Mill Lane, Leeds, LS2 7HY.";
    let spans = detector().detect(text, Some(&c));
    let own: Vec<&str> = spans
        .iter()
        .filter(|s| s.known_contact)
        .map(|s| &text[s.bstart..s.bend])
        .collect();
    let others: Vec<&str> = spans
        .iter()
        .filter(|s| !s.known_contact)
        .map(|s| &text[s.bstart..s.bend])
        .collect();
    assert_eq!(own, ["Zoë Kowalski", "zoe.k@example.com", "07912 345678"]);
    assert!(others.contains(&"Tom Baker"), "{others:?}");
    assert!(
        others.contains(&"12 Mill Lane, Leeds, LS2 7HY"),
        "{others:?}"
    );
    // The subject's copy: redact only the third parties.
    let third: Vec<_> = spans.into_iter().filter(|s| !s.known_contact).collect();
    let copy = nepenthe_detect::redact(text, &third, &nepenthe_detect::RedactOperator::Replace);
    assert!(
        copy.starts_with(
            "Zoë Kowalski (zoe.k@example.com, 07912 345678) said her neighbour <PERSON>"
        ),
        "{copy}"
    );
}

#[test]
fn names_in_capitals() {
    check(
        Person,
        &[
            ("Kind regards,\nZOË KOWALSKI\n", &["ZOË KOWALSKI"]),
            ("THE CUSTOMER SERVICE TEAM", &[]),
            ("MARK WILL CALL YOU", &[]),
        ],
    );
}

#[test]
fn names_after_roles_and_transfers() {
    check(
        Person,
        &[
            ("Your engineer Kofi is on his way", &["Kofi"]),
            (
                "QA: agent Kasia Nowak (ID A4471) missed the DPA",
                &["Kasia Nowak"],
            ),
            ("Auntie Bisi asked me to text you", &["Bisi"]),
            (
                "you're through to Fenella in the billing team",
                &["Fenella"],
            ),
            (
                "you're now chatting with Sandeep from our fraud team",
                &["Sandeep"],
            ),
            // A department or a company is no person.
            ("Hi, you're through to Harbour Bank, my name is", &[]),
            ("I'll transfer you, you're through to Billing now", &[]),
            ("the engineer visit is booked", &[]),
            ("ask your account manager Team Leads", &[]),
        ],
    );
}

#[test]
fn names_in_table_columns() {
    check(
        Person,
        &[
            (
                "ticket | name | phone\nT-1 | Cooper, Brandon | 555-0187\nT-2 | Mary-Kate O'Hara | 555-0102\nT-3 | de la Cruz, Ana | -\n",
                &["Cooper, Brandon", "Mary-Kate O'Hara", "de la Cruz, Ana"],
            ),
            (
                "Case\tCustomer\tOwner\nC1\tKwabena Asante\tunassigned\n",
                &["Kwabena Asante"],
            ),
            // Other columns, digits, lower-case words and headings that are not names.
            (
                "| Acct | Product | Team name |\n|---|---|---|\n| 3001 | Fibre Max | Billing Support |\n",
                &[],
            ),
            ("| Name |\n|---|\n| Unit 4 |\n| n/a |\n", &[]),
        ],
    );
}

#[test]
fn a_name_said_twice_is_two_names() {
    check(
        Person,
        &[
            (
                "caller: yes i'm her son hector hector de la cruz\n",
                &["hector", "hector de la cruz"],
            ),
            (
                "caller: hi this is nadia nadia haddad\n",
                &["nadia", "nadia haddad"],
            ),
            (
                "Thanks, Orla Orla Fitzgerald here",
                &["Orla", "Orla Fitzgerald"],
            ),
        ],
    );
}

#[test]
fn detector_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Detector>();
    let d = detector();
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| assert!(!d.detect("call 07912 345678", None).is_empty()));
        }
    });
}
